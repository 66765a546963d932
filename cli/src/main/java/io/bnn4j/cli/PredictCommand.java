package io.bnn4j.cli;

import io.bnn4j.job.PredictJob;
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

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Mixin
    Options.JsonOutput json;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Image files (PNG, JPEG) or IDX image files.")
    List<Path> inputs;

    PredictJob validate() {
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
