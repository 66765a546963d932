package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.nn.Backprop;
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
 * {@code bnn bench} calls {@link #trainImagesPerSecond}.
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
}
