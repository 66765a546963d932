package io.bnn4j.bayes;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The log-mean-exp NLL over T samples: value, gradient (central differences in double), stability. */
class NllTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /** Σ_i −log((1/T) Σ_t softmax(z_ti)[y_i]) in double, directly from the definition. */
    private static double reference(double[] z, int n, int t, int c, int[] y) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int s = 0; s < t; s++) {
                int row = (s * n + i) * c;
                double den = 0;
                for (int k = 0; k < c; k++) den += Math.exp(z[row + k]);
                mean += Math.exp(z[row + y[i]]) / den;
            }
            total -= Math.log(mean / t);
        }
        return total;
    }

    @Test
    void valueAndGradientMatchTheDefinition() {
        int n = 3, t = 4, c = 5;
        int[] y = {2, 0, 4};
        Random r = new Random(5);
        double[] z = new double[n * t * c];
        for (int i = 0; i < z.length; i++) z[i] = 2 * r.nextGaussian();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment zs = a.allocate(z.length * 4L), dz = a.allocate(z.length * 4L);
            for (int i = 0; i < z.length; i++) zs.setAtIndex(F, i, (float) z[i]);
            long[] correct = new long[1];
            float scale = 0.5f;
            double v = Nll.lossAndGrad(c, t, n, 0, n, y, zs, 0, scale, dz, 0, new double[Nll.scratchSize(c, t)], correct);
            // z was rounded to float; the reference sees the same floats
            double[] zf = new double[z.length];
            for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
            assertEquals(reference(zf, n, t, c, y), v, 1e-9);
            for (int i = 0; i < z.length; i++) {
                double h = 1e-6, save = zf[i];
                zf[i] = save + h;
                double fp = reference(zf, n, t, c, y);
                zf[i] = save - h;
                double fm = reference(zf, n, t, c, y);
                zf[i] = save;
                double fd = scale * (fp - fm) / (2 * h);
                // float output of a double computation: 1e-7 relative, plus the FD error ~1e-9
                assertEquals(fd, dz.getAtIndex(F, i), 1e-5 * Math.abs(fd) + 1e-7, "dz[" + i + "]");
            }
        }
    }

    @Test
    void singleSampleIsCrossEntropyAndHugeLogitsStayFinite() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment zs = a.allocate(2 * 3 * 4L), dz = a.allocate(2 * 3 * 4L);
            float[] z = {1000f, -1000f, 0f, 1e4f, 1e4f, -1e4f};   // T = 2 samples of one image
            for (int i = 0; i < z.length; i++) zs.setAtIndex(F, i, z[i]);
            long[] correct = new long[1];
            double[] scratch = new double[Nll.scratchSize(3, 2)];
            // T = 1 on the first row: cross-entropy of label 1 = 2000 (exactly, in double)
            assertEquals(2000.0, Nll.lossAndGrad(3, 1, 1, 0, 1, new int[]{1}, zs, 0, 1f, dz, 0, scratch, correct), 1e-9);
            // T = 2, label 0: sample 1 puts ½ on class 0 → mean p = (1 + ½)/2 = 0.75
            double v = Nll.lossAndGrad(3, 2, 1, 0, 1, new int[]{0}, zs, 0, 1f, dz, 0, scratch, correct);
            assertEquals(-Math.log(0.75), v, 1e-12);
            for (int i = 0; i < 6; i++) assertTrue(Float.isFinite(dz.getAtIndex(F, i)));
            assertEquals(1, correct[0], "argmax of the mean softmax is class 0 (0.75), counted once");
        }
    }
}
