package io.bnn4j.cli;

import io.bnn4j.cli.Choices.Normalization;
import io.bnn4j.cli.engine.EngineBridge.Prediction;
import io.bnn4j.cli.engine.EngineBridge.PredictRequest;
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

    PredictRequest validate() {
        boolean mean = sampling != null && sampling.mean;
        int samples = sampling != null && sampling.samples != null ? sampling.samples : Defaults.SAMPLES;
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        Checks.atLeast(spec, "--limit", limit, 1);
        Checks.inputFile(spec, "--model", model.get());
        for (Path p : inputs) Checks.inputFile(spec, "", p);
        return new PredictRequest(model.get(), samples, mean, normalization, List.copyOf(inputs), seed.get(), threads.get(), limit);
    }

    @Override
    public Integer call() {
        PredictRequest request = validate();
        Progress progress = Progress.forStderr(err(), json.get());
        Table table = json.get() ? null : table();
        engine().predict(request, progress, p -> {
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

    static String json(Prediction p) {
        return Json.object().put("input", p.input()).put("index", p.index() == null ? null : (long) p.index())
                .put("predicted", p.predicted()).put("label", p.label()).put("confidence", p.confidence())
                .put("probabilities", p.probabilities()).put("entropy", p.entropy())
                .put("expected_entropy", p.expectedEntropy()).put("mutual_information", p.mutualInformation())
                .put("aleatoric", p.aleatoric()).put("epistemic", p.epistemic())
                .put("aleatoric_per_class", p.aleatoricPerClass()).put("epistemic_per_class", p.epistemicPerClass())
                .put("samples", p.samples()).toString();
    }

    /** The human table: one row per input, uncertainty in nats. */
    static Table table() {
        return new Table("INPUT", "CLASS", "LABEL", "CONFIDENCE", "ENTROPY", "ALEATORIC", "EPISTEMIC");
    }

    /** ALEATORIC is the expected entropy and EPISTEMIC the mutual information (both "-" with --mean). */
    static void row(Table t, Prediction p) {
        String input = p.index() == null ? p.input() : p.input() + "#" + p.index();
        t.row(input, p.predicted(), p.label(), percent(p.confidence()), fmt("%.4f", p.entropy()),
                p.expectedEntropy() == null ? null : fmt("%.4f", p.expectedEntropy()),
                p.mutualInformation() == null ? null : fmt("%.4f", p.mutualInformation()));
    }
}
