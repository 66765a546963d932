package io.bnn4j.cli;

import io.bnn4j.io.ModelStore;
import io.bnn4j.job.EvaluateJob;
import io.bnn4j.job.RegressionEvaluateJob;
import io.bnn4j.uncertainty.RegressionMetrics;
import io.bnn4j.uncertainty.EvaluationResult;
import io.bnn4j.uncertainty.OodResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bnn evaluate}: accuracy, calibration and out-of-distribution detection on a labelled set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Measure accuracy, calibration and out-of-distribution detection.",
                "On a labelled set (its test split when it has one): accuracy, NLL, Brier score, ECE (15 bins) and a reliability",
                "diagram; with --ood, AUROC and AUPR of telling in- from out-of-distribution inputs by entropy, mutual",
                "information and 1 - confidence."})
public final class EvaluateCommand extends BaseCommand implements Callable<Integer> {

    @Mixin
    Options.Model model;

    @Mixin
    Options.Data data;

    @Option(names = "--ood", paramLabel = "DIR", description = "An out-of-distribution dataset directory (its test split when it has one), "
            + "or a synthetic set made from the test images: noise, inverted or flipped (upside down).")
    Path ood;

    @Option(names = "--samples", paramLabel = "T", defaultValue = "" + Defaults.SAMPLES, description = "Monte-Carlo samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write the reliability diagram to this PNG file.")
    Path plot;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Mixin
    Options.JsonOutput json;

    RegressionEvaluateJob validateRegression() {
        Checks.notFor(spec, "a regression model", "--ood");
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        if (plot != null) {
            Checks.suffix(spec, "--plot", plot, ".png");
            Checks.outputFile(spec, "--plot", plot);
        }
        return new RegressionEvaluateJob(model.get(), data.resolveFile(spec), samples, plot, seed.get(), threads.get());
    }

    EvaluateJob validate() {
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        Checks.inputFile(spec, "--model", model.get());
        if (ood != null && !io.bnn4j.data.SyntheticOod.names(ood)) Checks.inputDirectory(spec, "--ood", ood);
        if (plot != null) {
            Checks.suffix(spec, "--plot", plot, ".png");
            Checks.outputFile(spec, "--plot", plot);
        }
        Path dataDir = data.resolve(spec);
        return new EvaluateJob(model.get(), dataDir, ood, samples, plot, seed.get(), threads.get());
    }

    @Override
    public Integer call() {
        Checks.inputFile(spec, "--model", model.get());
        if (ModelStore.isRegression(model.get())) {
            RegressionEvaluateJob.Result r = validateRegression().run(StderrProgress.forStderr(err(), json.get()));
            if (json.get()) out().println(json(r)); else text(r).forEach(out()::println);
            out().flush();
            return 0;
        }
        EvaluateJob.Result r = validate().run(StderrProgress.forStderr(err(), json.get()));
        if (json.get()) out().println(json(r)); else text(r).forEach(out()::println);
        out().flush();
        return 0;
    }

    static String json(EvaluateJob.Result r) {
        EvaluationResult e = r.evaluation();
        Json j = Json.object().put("n", e.n()).put("samples", r.samples()).put("accuracy", e.accuracy()).put("nll", e.nll())
                .put("brier", e.brier()).put("ece", e.ece());
        if (r.ood() != null) {
            j.put("ood_n", (long) r.ood().oodN()).put("auroc_entropy", r.ood().aurocEntropy())
                    .put("auroc_mutual_information", r.ood().aurocMutualInformation())
                    .put("auroc_confidence", r.ood().aurocConfidence()).put("aupr_entropy", r.ood().auprEntropy());
        }
        return j.toString();
    }

    /** Coverage and width of the central 50/80/90/95% intervals as {@code coverage_90}, {@code width_90}, …. */
    static String json(RegressionEvaluateJob.Result r) {
        RegressionMetrics.Result m = r.metrics();
        Json j = Json.object().put("n", m.n()).put("samples", r.samples()).put("target", r.target()).put("rmse", m.rmse()).put("nll", m.nll());
        for (int l = 0; l < RegressionMetrics.LEVELS.size(); l++) j.put("coverage_" + percentLabel(l), m.coverage()[l]);
        for (int l = 0; l < RegressionMetrics.LEVELS.size(); l++) j.put("width_" + percentLabel(l), m.width()[l]);
        return j.toString();
    }

    private static String percentLabel(int level) {
        return Long.toString(Math.round(100 * RegressionMetrics.LEVELS.get(level)));
    }

    static List<String> text(RegressionEvaluateJob.Result r) {
        RegressionMetrics.Result m = r.metrics();
        List<String> lines = new ArrayList<>();
        lines.add(fmt("examples     %s (%d samples each), target %s", count(m.n()), r.samples(), r.target()));
        lines.add("rmse         " + num(m.rmse()));
        lines.add("nll          " + num(m.nll()));
        for (int l = 0; l < RegressionMetrics.LEVELS.size(); l++) {
            lines.add(fmt("interval %s%%  coverage %s, mean width %s", percentLabel(l), percent(m.coverage()[l]), num(m.width()[l])));
        }
        if (r.plot() != null) lines.add("plot         " + r.plot());
        return lines;
    }

    static List<String> text(EvaluateJob.Result r) {
        EvaluationResult e = r.evaluation();
        List<String> lines = new ArrayList<>();
        lines.add(fmt("examples     %s (%d samples each)", count(e.n()), r.samples()));
        lines.add("accuracy     " + percent(e.accuracy()));
        lines.add("nll          " + num(e.nll()));
        lines.add("brier        " + num(e.brier()));
        lines.add("ece          " + num(e.ece()) + " (15 bins)");
        if (r.ood() != null) {
            OodResult o = r.ood();
            // mutual information first: the epistemic part, what tells an unfamiliar input; the entropy
            // also rises on familiar but ambiguous ones (shirt or T-shirt)
            lines.add(fmt("ood          %s examples; AUROC mutual information %s, entropy %s, 1 - confidence %s; AUPR entropy %s",
                    count(o.oodN()), num(o.aurocMutualInformation()), num(o.aurocEntropy()), num(o.aurocConfidence()),
                    num(o.auprEntropy())));
        }
        if (r.plot() != null) lines.add("plot         " + r.plot());
        return lines;
    }
}
