package io.bnn4j.job;

import io.bnn4j.Progress;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.train.TrainBench;
import io.bnn4j.uncertainty.Latency;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Predictor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Random;

/**
 * How fast this machine trains and predicts: training images/s (full steps on synthetic data,
 * measured first, in a fresh JIT profile: after the prediction loops it comes out 2–3× slower,
 * which is not what a training process sees), then single-image latency with T samples on one
 * thread ({@link Latency}), then batch prediction images/s (1 sample) over the threads.
 *
 * @param model     a model file to measure, or null for a fresh {@code arch}/{@code estimator} network
 * @param latency   how long to measure the latency ({@link Latency.Plan#BENCH})
 */
public record BenchJob(Path model, String arch, Estimator estimator, int samples, int batchSize, long seed, int threads,
                       Latency.Plan latency) {

    public BenchJob {
        if (model == null) {
            ModelSpec.defaultWidths(Objects.requireNonNull(arch, "arch"));
            Objects.requireNonNull(estimator, "estimator");
        }
        Objects.requireNonNull(latency, "latency");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** @param arch and {@code estimator}: the network measured (the model file's own with {@code model}) */
    public record Result(Latency.Result latency, double predictImagesPerSecond, double trainImagesPerSecond, int threads,
                         int samples, int batchSize, String arch, Estimator estimator) {}

    public Result run(Progress progress) {
        Model m = model != null ? ModelStore.loadClassifier(model).model()
                : Model.create(ModelSpec.of(arch, 1, 10).withEstimator(estimator), seed);
        try (m; Parallel par = new Parallel(threads)) {
            int inSize = m.inputShape().size();
            Random rnd = new Random(seed);
            float[] images = new float[batchSize * inSize];
            for (int i = 0; i < images.length; i++) images[i] = rnd.nextFloat();

            progress.note("training throughput (batch " + batchSize + ")");
            double trainRate = TrainBench.trainImagesPerSecond(m.spec(), batchSize, 1, threads, 20, 10, 5);

            Latency.Result lat = Latency.measure(m, java.util.Arrays.copyOf(images, inSize), samples, latency, progress);

            double predictRate;
            try (Predictor p = Predictor.builder(m).samples(1).seed(seed).maxBatch(batchSize).build();
                 Predictor.Context ctx = p.newContext(par)) {
                McPrediction[] out = new McPrediction[batchSize];
                for (int i = 0; i < out.length; i++) out[i] = new McPrediction(m.numClasses());
                predictRate = rate(progress, "batch prediction", batchSize, () -> ctx.predictBatch(images, 0, batchSize, out));
            }
            return new Result(lat, predictRate, trainRate, threads, samples, batchSize, m.spec().arch(), m.estimator());
        }
    }

    /** Images/s of {@code call} (one batch of {@code batch} images), after about 1 s of warm-up, over about 2 s. */
    private static double rate(Progress progress, String label, int batch, Runnable call) {
        progress.note(label + ": warm-up");
        long t0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - t0 < 1_000_000_000L; i++) call.run();
        progress.note(label + ": measuring");
        int calls = 0;
        long start = System.nanoTime(), now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (calls < 3 || now - start < 2_000_000_000L);
        return (double) calls * batch / ((now - start) * 1e-9);
    }
}
