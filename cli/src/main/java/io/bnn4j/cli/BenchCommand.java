package io.bnn4j.cli;

import io.bnn4j.job.BenchJob;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.uncertainty.Latency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bnn bench}: measures prediction latency and throughput, and training throughput, on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Measure prediction and training speed on this machine.",
                "After a warm-up: single-image prediction latency with T samples (median, p99), batch prediction images/s",
                "and training images/s."})
public final class BenchCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "FILE", description = "Measure this model (default: a fresh --arch/--layer network).")
    Path model;

    @Option(names = "--arch", paramLabel = "A", converter = Choices.ArchConverter.class, completionCandidates = Choices.ArchConverter.class,
            description = "Architecture of the fresh network: ${COMPLETION-CANDIDATES} (default: lenet5).")
    String arch;

    @Option(names = "--layer", paramLabel = "L", converter = Choices.EstimatorConverter.class, completionCandidates = Choices.EstimatorConverter.class,
            description = "Layer estimator of the fresh network: ${COMPLETION-CANDIDATES} (default: lrt).")
    Estimator layer;

    @Option(names = "--samples", paramLabel = "T", defaultValue = "" + Defaults.SAMPLES, description = "Monte-Carlo samples per prediction (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "" + Defaults.BATCH_SIZE, description = "Batch size for the throughput runs (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Mixin
    Options.JsonOutput json;

    BenchJob validate() {
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--batch-size", batchSize, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        if (model != null) {
            if (arch != null || layer != null) {
                throw Checks.usage(spec, "--arch and --layer describe a fresh network: leave them out with --model (the model file says its own)");
            }
            Checks.inputFile(spec, "--model", model);
        }
        return new BenchJob(model, model != null ? null : arch != null ? arch : ModelSpec.LENET5,
                model != null ? null : layer != null ? layer : Estimator.LRT, samples, batchSize, seed.get(), threads.get(), Latency.Plan.BENCH);
    }

    @Override
    public Integer call() {
        BenchJob.Result r = validate().run(StderrProgress.forStderr(err(), json.get()));
        if (json.get()) out().println(json(r)); else text(r).lines().forEach(out()::println);
        out().flush();
        return 0;
    }

    static String json(BenchJob.Result r) {
        return Json.object().put("predict_latency_ms_median", r.latency().medianMs())
                .put("predict_latency_ms_p99", r.latency().p99Ms())
                .put("predict_images_per_second", r.predictImagesPerSecond())
                .put("train_images_per_second", r.trainImagesPerSecond()).put("threads", r.threads())
                .put("samples", r.samples()).put("batch_size", r.batchSize()).put("arch", r.arch()).put("layer", r.estimator().label())
                .toString();
    }

    static Table text(BenchJob.Result r) {
        return new Table("MEASURE", "VALUE")
                .row("network", r.arch() + " / " + r.estimator().label())
                .row("threads", r.threads())
                .row(fmt("predict latency, 1 image x %d samples, median", r.samples()), fmt("%.3f ms", r.latency().medianMs()))
                .row(fmt("predict latency, 1 image x %d samples, p99", r.samples()), fmt("%.3f ms", r.latency().p99Ms()))
                .row(fmt("predict throughput, batch %d", r.batchSize()), fmt("%,.0f images/s", r.predictImagesPerSecond()))
                .row(fmt("train throughput, batch %d", r.batchSize()), fmt("%,.0f images/s", r.trainImagesPerSecond()));
    }
}
