package io.bnn4j.prune;

import io.bnn4j.uncertainty.Latency;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Model;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.Trainer;
import io.bnn4j.uncertainty.plot.PruningCurve;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Experiment tool behind docs/PRUNING.md (not a test, not run by the build): prunes a trained
 * model file every way the doc's table lists and measures each result with {@link Pruner#measure}
 * (10 MC samples, seed 1, the whole test split; entropy AUROC against the test images inverted,
 * 1 − x; single-image 10-sample latency on one thread, the unpruned model's latency measured
 * again right before each row so the two are comparable on a busy machine).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes:COMMONS_COMPRESS \
 *     io.bnn4j.prune.PruneExperiment /work/models/lenet5-full.bnn /usr/share/datasets/fashion-mnist /work/models/prune 2
 * </pre>
 * Arguments: model file, data directory, output directory (results.tsv, curve.png, scratch
 * files), evaluation threads.
 */
public final class PruneExperiment {

    static final double[] SPARSITIES = {0.5, 0.7, 0.8, 0.9, 0.95, 0.98};

    public static void main(String[] args) throws Exception {
        Path modelFile = Path.of(args[0]), data = Path.of(args[1]), outDir = Path.of(args[2]);
        int threads = Integer.parseInt(args[3]);
        Files.createDirectories(outDir);
        PrintStream out = new PrintStream(Files.newOutputStream(outDir.resolve("results.tsv")), true);
        Dataset train = Datasets.load(data, Split.TRAIN), test = Datasets.load(data, Split.TEST);
        Dataset ood = inverted(test);
        try (ModelStore.Loaded loaded = ModelStore.load(modelFile)) {
            Model base = loaded.model();
            ModelStore.ModelInfo info = loaded.info();
            Path probe = outDir.resolve("probe.bnn");
            Pruner.FileSizer sizer = m -> ModelStore.save(m, info, null, probe);
            Pruner.Request req = Pruner.Request.of(PruneMethod.SNR, 0, test).withOod(ood).withThreads(threads)
                    .withTransform(info.inputTransform());
            String header = "method\tscope\tsparsity\tfine_tune\tweights_removed\twidths\tparameters\tfile_bytes\taccuracy\tnll\tece\tauroc_entropy\tlatency_ms\tlatency_ms_unpruned";
            out.println(header);
            System.out.println(header);
            long t0 = System.nanoTime();
            Measurement b = Pruner.measure(base, req, sizer);
            row(out, "none", "-", 0, 0, base, base, b, b.latencyMs());
            System.out.printf(Locale.ROOT, "(baseline took %.0f s)%n", (System.nanoTime() - t0) * 1e-9);

            List<PruningCurve.Series> series = new ArrayList<>();
            for (PruneMethod method : List.of(PruneMethod.SNR, PruneMethod.MAGNITUDE)) {
                double[] acc = new double[SPARSITIES.length + 1], ece = new double[SPARSITIES.length + 1];
                double[] xs = new double[SPARSITIES.length + 1];
                acc[0] = b.accuracy();
                ece[0] = b.ece();
                for (int i = 0; i < SPARSITIES.length; i++) {
                    try (Model p = Pruner.prune(base, method, SPARSITIES[i], PruneScope.GLOBAL)) {
                        Measurement m = measureWithBaseline(base, p, req, sizer, out, method.label(), "global", SPARSITIES[i], 0);
                        xs[i + 1] = SPARSITIES[i];
                        acc[i + 1] = m.accuracy();
                        ece[i + 1] = m.ece();
                    }
                }
                series.add(new PruningCurve.Series(method.label() + " (global, no fine-tuning)",
                        method == PruneMethod.SNR ? PruningCurve.SNR : PruningCurve.MAGNITUDE, xs, acc, ece));
            }
            PruningCurve.write(outDir.resolve("curve.png"), "Pruning Bayesian LeNet-5 on Fashion-MNIST",
                    String.format(Locale.ROOT, "test split, 10 MC samples; unpruned: accuracy %.2f%%, ECE %.4f", 100 * b.accuracy(), b.ece()),
                    b.accuracy(), b.ece(), series);
            try (Model p = Pruner.prune(base, PruneMethod.SNR, 0.9, PruneScope.PER_LAYER)) {
                measureWithBaseline(base, p, req, sizer, out, "snr", "per-layer", 0.9, 0);
            }
            TrainConfig ft = TrainConfig.plain().withSeed(1).withThreads(threads);
            for (double s : new double[]{0.95, 0.98}) {
                try (Model p = Pruner.prune(base, PruneMethod.SNR, s, PruneScope.GLOBAL)) {
                    fineTuneAndMeasure(base, p, train, req, sizer, out, ft, "snr", "global", s, 2);
                }
            }
            for (double s : new double[]{0.3, 0.5}) {
                try (Model p = Pruner.prune(base, PruneMethod.L1_FILTER, s, null)) {
                    measureWithBaseline(base, p, req, sizer, out, "l1-filter", "-", s, 0);
                    fineTuneAndMeasure(base, p, train, req, sizer, out, ft, "l1-filter", "-", s, 2);
                }
            }
        }
        out.close();
    }

    /** Fine-tunes {@code p} epoch by epoch (one trainer, so Adam's state carries on) and measures after each. */
    static void fineTuneAndMeasure(Model base, Model p, Dataset train, Pruner.Request req, Pruner.FileSizer sizer, PrintStream out,
                                   TrainConfig ft, String method, String scope, double s, int epochs) throws Exception {
        try (Trainer t = new Trainer(p, ft.withEpochs(epochs), new DatasetSource(train, p.inputShape(), req.transform()))) {
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                t.trainEpoch();
                long bad = Masks.violations(p);
                System.out.printf(Locale.ROOT, "(fine-tune epoch %d: %.0f s, removed weights not zero: %d)%n", e, (System.nanoTime() - t0) * 1e-9, bad);
                if (bad != 0) throw new IllegalStateException(bad + " removed weights came back");
                Masks.canonicalize(p);
                measureWithBaseline(base, p, req, sizer, out, method, scope, s, e);
            }
        }
    }

    static Measurement measureWithBaseline(Model base, Model p, Pruner.Request req, Pruner.FileSizer sizer, PrintStream out,
                                           String method, String scope, double s, int fineTune) throws Exception {
        float[] image = req.test().toFloats(0, base.inputShape().c(), base.inputShape().h(), base.inputShape().w(), req.transform());
        double baseLatency = Latency.measure(base, image, req.samples(), Latency.WARMUP, Latency.CALLS).medianMs();
        Measurement m = Pruner.measure(p, req, sizer);
        row(out, method, scope, s, fineTune, base, p, m, baseLatency);
        return m;
    }

    /** One table row; weights_removed counts against the unpruned model (so it covers l1-filter's smaller layers). */
    static void row(PrintStream out, String method, String scope, double s, int fineTune, Model base, Model m, Measurement x, double baseLatency) {
        double removed = 1 - (double) (Masks.weightCount(m) - Masks.removedWeights(m)) / Masks.weightCount(base);
        String line = String.format(Locale.ROOT, "%s\t%s\t%.2f\t%d\t%.4f\t%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.3f\t%.3f",
                method, scope, s, fineTune, removed, Arrays.toString(m.spec().widths()).replace(" ", ""), x.parameters(),
                x.fileBytes(), x.accuracy(), x.nll(), x.ece(), x.aurocEntropy(), x.latencyMs(), baseLatency);
        out.println(line);
        System.out.println(line);
    }

    /** The test images inverted (255 − x per pixel byte, i.e. 1 − x after scaling), unlabelled. */
    static Dataset inverted(Dataset d) {
        byte[] px = new byte[d.size() * d.imageBytes()];
        for (int i = 0; i < d.size(); i++) {
            byte[] img = d.image(i);
            for (int j = 0; j < img.length; j++) px[i * img.length + j] = (byte) (255 - (img[j] & 0xFF));
        }
        return Dataset.unlabelled(d.source() + " inverted", d.channels(), d.height(), d.width(), px);
    }
}
