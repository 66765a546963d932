package io.bnn4j.bayes;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The Gaussian head's loss against its definition, and its gradient against central differences. */
class GaussianNllTest {

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** The loss from the definition, in double: (1/T) Σ_t Σ_j ½ [log 2π + s + (y − m)² e^{−s}] per example, summed. */
    static double reference(int k, int samples, int n, double[] out, float[] y, boolean learnVariance) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < samples; t++) {
                for (int j = 0; j < k; j++) {
                    double m = out[(t * n + i) * 2 * k + j];
                    double s = Math.max(-12, Math.min(12, out[(t * n + i) * 2 * k + k + j]));
                    double r = y[i * k + j] - m;
                    total += (learnVariance ? 0.5 * (Math.log(2 * Math.PI) + s + r * r * Math.exp(-s)) : 0.5 * r * r) / samples;
                }
            }
        }
        return total;
    }

    @Test
    void lossMatchesItsDefinitionAndGradientsMatchCentralDifferences() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (boolean learn : new boolean[]{true, false}) {
            for (int[] dims : new int[][]{{1, 1, 1}, {1, 3, 5}, {2, 4, 3}}) {
                int k = dims[0], samples = dims[1], n = dims[2], len = samples * n * 2 * k;
                double[] out = new double[len];
                for (int i = 0; i < len; i++) out[i] = rnd.nextDouble(-2, 2);
                out[k] = 20;   // one log-variance above the clamp: no gradient there
                float[] y = new float[n * k];
                for (int i = 0; i < y.length; i++) y[i] = (float) rnd.nextGaussian();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment o = arena.allocate((long) len * Float.BYTES), d = arena.allocate((long) len * Float.BYTES);
                    for (int i = 0; i < len; i++) o.setAtIndex(F, i, (float) out[i]);
                    for (int i = 0; i < len; i++) out[i] = o.getAtIndex(F, i);   // the float values the kernel sees
                    double loss = GaussianNll.lossAndGrad(k, samples, n, 0, n, y, learn, o, 0, 0.5f, d, 0);
                    assertEquals(reference(k, samples, n, out, y, learn), loss, 1e-9 * Math.max(1, Math.abs(loss)));
                    double h = 1e-4;
                    for (int i = 0; i < len; i++) {
                        double keep = out[i];
                        out[i] = keep + h;
                        double up = reference(k, samples, n, out, y, learn);
                        out[i] = keep - h;
                        double down = reference(k, samples, n, out, y, learn);
                        out[i] = keep;
                        double fd = 0.5 * (up - down) / (2 * h);   // scale 0.5
                        assertEquals(fd, d.getAtIndex(F, i), 1e-5 + 1e-4 * Math.abs(fd), "learn " + learn + ", output " + i);
                    }
                    assertEquals(0f, d.getAtIndex(F, k), "above the clamp the log-variance gets no gradient");
                }
            }
        }
    }

    @Test
    void theLossOfAPerfectMeanIsTheGaussianNormaliser() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = arena.allocate(2L * Float.BYTES);
            o.setAtIndex(F, 0, 3f);
            o.setAtIndex(F, 1, 0f);   // log-variance 0: variance 1
            double loss = GaussianNll.lossAndGrad(1, 1, 1, 0, 1, new float[]{3f}, true, o, 0, 1f, null, 0);
            assertEquals(0.5 * Math.log(2 * Math.PI), loss, 1e-12);
        }
    }
}
