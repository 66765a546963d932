package io.bnn4j.train;

import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TemperatureScalingTest {

    static float[] logits(Model m, Synthetic data, int n, int samples) {
        try (Arena a = Arena.ofConfined(); InferenceSession s = new InferenceSession(m, n, samples, Parallel.serial())) {
            MemorySegment x = a.allocate((long) n * 1024 * 4), z = a.allocate((long) n * samples * 4 * 4);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            data.writeBatch(idx, 0, n, x, 0);
            s.predictSamples(x, 0, n, samples, 9, 4, z, 0);
            return z.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    @Test
    void foldingTheTemperatureDividesEverySampledLogitByIt() {
        Synthetic data = new Synthetic(8, 2);
        for (Estimator e : new Estimator[]{Estimator.LRT, Estimator.BBB, Estimator.FLIPOUT, Estimator.NONE, Estimator.DROPOUT}) {
            try (Model m = Model.create(TrainerTest.small(e), 3)) {
                float[] before = logits(m, data, 8, 3);
                TemperatureScaling.apply(m, 2.5);
                float[] after = logits(m, data, 8, 3);
                for (int i = 0; i < before.length; i++) {
                    assertEquals(before[i] / 2.5, after[i], 1e-5 * Math.max(1, Math.abs(before[i])), e + " logit " + i);
                }
            }
        }
    }

    @Test
    void fitFindsTheTemperatureThatGeneratedTheLabels() {
        // labels drawn from softmax(u); the model reports z = 3u: the NLL-optimal temperature is 3
        Random r = new Random(1);
        int n = 20_000, classes = 5, t = 2;
        float[] z = new float[n * t * classes];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double[] u = new double[classes];
            double sum = 0;
            for (int c = 0; c < classes; c++) { u[c] = 1.5 * r.nextGaussian(); sum += Math.exp(u[c]); }
            double pick = r.nextDouble() * sum, acc = 0;
            labels[i] = classes - 1;
            for (int c = 0; c < classes; c++) { acc += Math.exp(u[c]); if (pick < acc) { labels[i] = c; break; } }
            for (int s = 0; s < t; s++) for (int c = 0; c < classes; c++) z[(i * t + s) * classes + c] = (float) (3 * u[c]);
        }
        double tau = TemperatureScaling.fit(z, labels, t, classes);
        assertEquals(3.0, tau, 0.15);
        assertTrue(TemperatureScaling.nll(z, labels, t, classes, tau) < TemperatureScaling.nll(z, labels, t, classes, 1.0));
    }

    @Test
    void calibrateOnAPoolOfThreadsFoldsTheFittedTemperature() {
        Synthetic data = new Synthetic(40, 2);
        int[] idx = new int[40];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 3); Parallel par = new Parallel(2)) {
            float[] before = logits(m, data, 8, 3);
            var r = TemperatureScaling.calibrate(m, data, idx, 4, 1, 0, par);
            assertEquals(40, r.n());
            assertTrue(r.nllAfter() <= r.nllBefore(), r.toString());
            float[] after = logits(m, data, 8, 3);
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i] / r.temperature(), after[i], 1e-5 * Math.max(1, Math.abs(before[i])), "logit " + i);
            }
        }
    }

    @Test
    void calibrateLeavesTheModelAloneWithoutHeldOutExamples() {
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 3)) {
            float[] mu = m.allMu().toArray();
            var r = TemperatureScaling.calibrate(m, new Synthetic(8, 2), new int[0], 4, 1, 0, Parallel.serial());
            assertEquals(1.0, r.temperature());
            assertArrayEquals(mu, m.allMu().toArray());
        }
    }
}
