package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.nn.Backprop;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.random.Philox;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Training throughput on synthetic data (uniform pixels, random labels): full steps (forward,
 * loss, backward, KL, Adam update) after a warm-up, the median of several timed rounds.
 * {@code bnn bench} calls {@link #trainImagesPerSecond}; {@code main} prints one line.
 */
public final class TrainBench {

    private TrainBench() {}

    /** The median images/s over {@code rounds} rounds of {@code steps} steps, after {@code warmupSteps}. */
    public static double trainImagesPerSecond(ModelSpec spec, int batch, int samples, int threads, int warmupSteps,
                                              int steps, int rounds) {
        try (Model model = Model.create(spec, 1); Parallel par = new Parallel(threads);
             Backprop bp = new Backprop(model, batch, samples, io.bnn4j.bayes.KlKind.STANDARD, par, 0)) {
            Optimizer opt = new Optimizer(OptimizerSpec.Adam.defaults(), model, par);
            MemorySegment in = bp.input();
            int size = batch * model.inputShape().size();
            float[] pixels = new float[size];
            Philox.fillGaussian(7, 7, 0, pixels, 0, size);
            for (int i = 0; i < size; i++) pixels[i] = Math.min(1f, Math.abs(pixels[i]) * 0.3f);
            MemorySegment.copy(pixels, 0, in, ValueLayout.JAVA_FLOAT, 0, size);
            int[] labels = bp.labels();
            for (int i = 0; i < batch; i++) labels[i] = i % model.numClasses();
            long step = 0;
            double klScale = new BetaSchedule.Standard().weight(1, 1, 1) / 60000.0;
            for (int i = 0; i < warmupSteps; i++) {
                bp.step(batch, 1, step++, klScale);
                opt.step(1e-3, step);
            }
            double[] rates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    bp.step(batch, 1, step++, klScale);
                    opt.step(1e-3, step);
                }
                rates[r] = (double) steps * batch / ((System.nanoTime() - t0) * 1e-9);
            }
            Arrays.sort(rates);
            return rates[rounds / 2];
        }
    }

    /** Usage: TrainBench [arch] [lrt|bbb|none] [batch] [threads] [steps]. */
    public static void main(String[] args) {
        String arch = args.length > 0 ? args[0] : "lenet5";
        Estimator est = args.length > 1 ? Estimator.valueOf(args[1].toUpperCase(java.util.Locale.ROOT)) : Estimator.LRT;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        ModelSpec spec = ModelSpec.of(arch, 1, 10).withEstimator(est);
        double rate = trainImagesPerSecond(spec, batch, 1, threads, Math.max(3, steps / 2), steps, 5);
        System.out.printf(java.util.Locale.ROOT, "{\"arch\":\"%s\",\"layer\":\"%s\",\"batch_size\":%d,\"threads\":%d,\"kernels\":\"%s\",\"train_images_per_second\":%.1f}%n",
                arch, est.name().toLowerCase(java.util.Locale.ROOT), batch, threads, io.bnn4j.kernel.Kernels.instance().name(), rate);
    }
}
