package io.bnn4j.cli;

import io.bnn4j.io.ModelStore;
import io.bnn4j.job.PredictJob;
import io.bnn4j.job.RegressionPredictJob;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Normalization;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bnn predict}: classifies images with uncertainty. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Classify images, with how sure the model is.",
                "Inputs are PNG or JPEG files, or IDX files (every image in them). With T Monte-Carlo samples it reports the",
                "predictive entropy, split into aleatoric (expected entropy) and epistemic (mutual information) parts;",
                "with --mean, one deterministic pass and the entropy only (JSON: the split fields are null, samples 0)."})
public final class PredictCommand extends BaseCommand implements Callable<Integer> {

    @Mixin
    Options.Model model;

    /** --samples T and --mean exclude each other. */
    static final class Sampling {
        @Option(names = "--samples", paramLabel = "T", description = "Monte-Carlo samples (default: " + Defaults.SAMPLES + ").")
        Integer samples;

        @Option(names = "--mean", description = "One deterministic pass with the mean weights (fastest; entropy only, no split).")
        boolean mean;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Sampling sampling;

    @Option(names = "--normalization", paramLabel = "N", defaultValue = "softmax", converter = Choices.NormalizationConverter.class,
            completionCandidates = Choices.NormalizationConverter.class,
            description = "Turn outputs into probabilities with ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Normalization normalization;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N images of each IDX input.")
    Integer limit;

    @Option(names = "--interval", paramLabel = "L", defaultValue = "" + RegressionPredictJob.DEFAULT_LEVEL,
            description = "Regression: the level of the central prediction interval, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double interval;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Mixin
    Options.JsonOutput json;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Image files (PNG, JPEG) or IDX image files; for a regression "
            + "model, CSV files with its feature columns.")
    List<Path> inputs;

    /** A regression model's job: CSV inputs, mean and variances, the interval at --interval. */
    RegressionPredictJob validateRegression() {
        Checks.notFor(spec, "a regression model", "--mean", "--normalization", "--limit");
        int samples = sampling != null && sampling.samples != null ? sampling.samples : Defaults.SAMPLES;
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        if (!(interval > 0 && interval < 1)) throw Checks.usage(spec, "--interval must be in (0, 1) (got " + interval + ")");
        for (Path p : inputs) Checks.inputFile(spec, "", p);
        return new RegressionPredictJob(model.get(), samples, interval, inputs, seed.get(), threads.get());
    }

    PredictJob validate() {
        Checks.notFor(spec, "a classifier", "--interval");
        boolean mean = sampling != null && sampling.mean;
        int samples = sampling != null && sampling.samples != null ? sampling.samples : Defaults.SAMPLES;
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        Checks.atLeast(spec, "--limit", limit, 1);
        Checks.inputFile(spec, "--model", model.get());
        for (Path p : inputs) Checks.inputFile(spec, "", p);
        return new PredictJob(model.get(), mean ? 0 : samples, normalization, inputs, seed.get(), threads.get(), limit);
    }

    @Override
    public Integer call() {
        Checks.inputFile(spec, "--model", model.get());
        if (ModelStore.isRegression(model.get())) {
            RegressionPredictJob job = validateRegression();
            Table table = json.get() ? null : new Table("INPUT", "ROW", "MEAN", "LOWER", "UPPER", "ALEATORIC", "EPISTEMIC");
            job.run(StderrProgress.forStderr(err(), json.get()), item -> {
                if (table != null) {
                    var p = item.prediction();
                    table.row(item.input(), item.row(), num(p.mean()[0]), num(p.lower()[0]), num(p.upper()[0]), num(p.aleatoric()[0]),
                            num(p.epistemic()[0]));
                } else {
                    out().println(json(item, job.level(), job.samples()));
                    out().flush();
                }
            });
            if (table != null) table.lines().forEach(out()::println);
            out().flush();
            return 0;
        }
        PredictJob job = validate();
        Table table = json.get() ? null : table();
        job.run(StderrProgress.forStderr(err(), json.get()), p -> {
            if (table != null) {
                row(table, p);
            } else {
                out().println(json(p));
                out().flush();
            }
        });
        if (table != null) table.lines().forEach(out()::println);
        out().flush();
        return 0;
    }

    /** With the mean weights (0 samples) the uncertainty split is null and samples 0. */
    static String json(PredictJob.Item item) {
        McPrediction p = item.prediction();
        boolean split = !p.isMeanWeights();
        return Json.object().put("input", item.input().toString()).put("index", item.index() == null ? null : (long) item.index())
                .put("predicted", p.predicted()).put("label", item.label()).put("confidence", p.confidence())
                .put("probabilities", p.probabilities()).put("entropy", p.entropy())
                .put("expected_entropy", split ? p.expectedEntropy() : null).put("mutual_information", split ? p.mutualInformation() : null)
                .put("aleatoric", split ? p.aleatoric() : null).put("epistemic", split ? p.epistemic() : null)
                .put("aleatoric_per_class", split ? p.aleatoricPerClass() : null)
                .put("epistemic_per_class", split ? p.epistemicPerClass() : null)
                .put("samples", split ? p.samples() : 0).toString();
    }

    /** One regression row: variances in the target's squared units; {@code row} counts data rows from 0. */
    static String json(RegressionPredictJob.Item item, double level, int samples) {
        var p = item.prediction();
        return Json.object().put("input", item.input().toString()).put("row", item.row()).put("target", item.target())
                .put("mean", p.mean()[0]).put("aleatoric", p.aleatoric()[0]).put("epistemic", p.epistemic()[0])
                .put("variance", p.variance()[0]).put("lower", p.lower()[0]).put("upper", p.upper()[0]).put("level", level)
                .put("samples", samples).toString();
    }

    /** The human table: one row per input, uncertainty in nats. */
    static Table table() {
        return new Table("INPUT", "CLASS", "LABEL", "CONFIDENCE", "ENTROPY", "ALEATORIC", "EPISTEMIC");
    }

    /** ALEATORIC is the expected entropy and EPISTEMIC the mutual information (both "-" with --mean). */
    static void row(Table t, PredictJob.Item item) {
        McPrediction p = item.prediction();
        boolean split = !p.isMeanWeights();
        String input = item.index() == null ? item.input().toString() : item.input() + "#" + item.index();
        t.row(input, p.predicted(), item.label(), percent(p.confidence()), fmt("%.4f", p.entropy()),
                split ? fmt("%.4f", p.expectedEntropy()) : null, split ? fmt("%.4f", p.mutualInformation()) : null);
    }
}
