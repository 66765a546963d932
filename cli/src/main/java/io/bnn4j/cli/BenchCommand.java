package io.bnn4j.cli;

import io.bnn4j.cli.Choices.Arch;
import io.bnn4j.cli.Choices.Layer;
import io.bnn4j.cli.engine.EngineBridge.BenchReport;
import io.bnn4j.cli.engine.EngineBridge.BenchRequest;
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
    Arch arch;

    @Option(names = "--layer", paramLabel = "L", converter = Choices.LayerConverter.class, completionCandidates = Choices.LayerConverter.class,
            description = "Layer estimator of the fresh network: ${COMPLETION-CANDIDATES} (default: lrt).")
    Layer layer;

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

    BenchRequest validate() {
        Checks.atLeast(spec, "--samples", samples, 1);
        Checks.atLeast(spec, "--batch-size", batchSize, 1);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        if (model != null) {
            if (arch != null || layer != null) {
                throw Checks.usage(spec, "--arch and --layer describe a fresh network: leave them out with --model (the model file says its own)");
            }
            Checks.inputFile(spec, "--model", model);
        }
        return new BenchRequest(model, model != null ? null : arch != null ? arch : Arch.LENET5,
                model != null ? null : layer != null ? layer : Layer.LRT, samples, batchSize, seed.get(), threads.get());
    }

    @Override
    public Integer call() {
        BenchRequest request = validate();
        BenchReport r = engine().bench(request, Progress.forStderr(err(), json.get()));
        if (json.get()) out().println(json(r)); else text(r).lines().forEach(out()::println);
        out().flush();
        return 0;
    }

    static String json(BenchReport r) {
        return Json.object().put("predict_latency_ms_median", r.predictLatencyMsMedian())
                .put("predict_latency_ms_p99", r.predictLatencyMsP99())
                .put("predict_images_per_second", r.predictImagesPerSecond())
                .put("train_images_per_second", r.trainImagesPerSecond()).put("threads", r.threads())
                .put("samples", r.samples()).put("batch_size", r.batchSize()).put("arch", r.arch()).put("layer", r.layer())
                .toString();
    }

    static Table text(BenchReport r) {
        return new Table("MEASURE", "VALUE")
                .row("network", r.arch() + " / " + r.layer())
                .row("threads", r.threads())
                .row(fmt("predict latency, 1 image x %d samples, median", r.samples()), fmt("%.3f ms", r.predictLatencyMsMedian()))
                .row(fmt("predict latency, 1 image x %d samples, p99", r.samples()), fmt("%.3f ms", r.predictLatencyMsP99()))
                .row(fmt("predict throughput, batch %d", r.batchSize()), fmt("%,.0f images/s", r.predictImagesPerSecond()))
                .row(fmt("train throughput, batch %d", r.batchSize()), fmt("%,.0f images/s", r.trainImagesPerSecond()));
    }
}
