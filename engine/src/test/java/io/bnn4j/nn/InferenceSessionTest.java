package io.bnn4j.nn;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class InferenceSessionTest {

    static final int IN = 32 * 32;

    static MemorySegment images(Arena a, int n, long seed) {
        MemorySegment x = a.allocate((long) n * IN * 4);
        Random r = new Random(seed);
        double[] v = new double[n * IN];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble();
        Ref.write(x, 0, v);
        return x;
    }

    @Test
    void meanPredictionMatchesTheDoubleReference() {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.NONE);
        try (Model m = Model.create(spec, 4); InferenceSession s = new InferenceSession(m, 3, 1); Arena a = Arena.ofConfined()) {
            MemorySegment x = images(a, 3, 1), logits = a.allocate(30 * 4);
            s.predictMean(x, 0, 3, logits, 0);
            double[] mu = Ref.read(m.allMu().segment(), m.allMu().offset(), (int) m.meanCount());
            double[] want = Ref.logits(m, Ref.read(x, 0, 3 * IN), 3, 1, mu, null, null);
            GradCheck.assertClose("logits", want, Ref.read(logits, 0, 30), 1e-5);
        }
    }

    @Test
    void lrtSamplesAreReproducibleDistinctAndIndependentOfThreadsAndFirstLayerSharing() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 4); Arena a = Arena.ofShared();
             Parallel three = new Parallel(3);
             InferenceSession s1 = new InferenceSession(m, 20, 3); InferenceSession s3 = new InferenceSession(m, 20, 3, three)) {
            // widen σ so that samples differ visibly
            LayerGradientTest.randomize(m, 9);
            MemorySegment x = images(a, 20, 2);
            MemorySegment l1 = a.allocate(20 * 3 * 10 * 4), l2 = a.allocate(20 * 3 * 10 * 4), l3 = a.allocate(20 * 3 * 10 * 4);
            s1.predictSamples(x, 0, 20, 3, 5, 11, l1, 0);
            s3.predictSamples(x, 0, 20, 3, 5, 11, l3, 0);
            assertArrayEquals(Ref.read(l1, 0, 600), Ref.read(l3, 0, 600), "1 vs 3 threads");
            s1.predictSamples(x, 0, 20, 3, 5, 12, l2, 0);
            assertNotEquals(Ref.read(l1, 0, 600)[0], Ref.read(l2, 0, 600)[0], "another stream, other noise");
            double[] z = Ref.read(l1, 0, 600);
            assertNotEquals(z[0], z[200], "sample 0 and 1 of image 0 differ");
            s1.shareFirstLayer = false;
            s1.predictSamples(x, 0, 20, 3, 5, 11, l2, 0);
            GradCheck.assertClose("shared first layer", Ref.read(l2, 0, 600), z, 1e-5);
        }
    }

    @Test
    void samplesOfAWholeBlockRunAsOneBatchWithTheSameBits() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 4); Arena a = Arena.ofShared();
             InferenceSession s = new InferenceSession(m, 5, 10)) {
            LayerGradientTest.randomize(m, 9);
            for (int n : new int[]{1, 5}) {
                MemorySegment x = images(a, n, 3);
                MemorySegment batched = a.allocate(n * 10 * 10 * 4), looped = a.allocate(n * 10 * 10 * 4);
                s.batchWholeBlockSamples = true;
                s.predictSamples(x, 0, n, 10, 5, 11, batched, 0);
                s.batchWholeBlockSamples = false;
                s.predictSamples(x, 0, n, 10, 5, 11, looped, 0);
                if (n == 1) {
                    // 10 rows either way go through the same few-row GEMM: the same bits
                    assertArrayEquals(Ref.read(looped, 0, n * 100), Ref.read(batched, 0, n * 100), "n = " + n);
                } else {
                    // 50 rows take the packed GEMM (chosen by row count), 5 rows the few-row one: rounding only
                    GradCheck.assertClose("n = " + n, Ref.read(looped, 0, n * 100), Ref.read(batched, 0, n * 100), 1e-5);
                }
            }
        }
    }

    @Test
    void bbbGivesEachSampleItsOwnWeightDraw() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.BBB), 4);
             InferenceSession s = new InferenceSession(m, 2, 4); Arena a = Arena.ofShared()) {
            LayerGradientTest.randomize(m, 9);
            MemorySegment x = images(a, 1, 3), xx = a.allocate(2L * IN * 4), logits = a.allocate(4 * 2 * 10 * 4);
            MemorySegment.copy(x, 0, xx, 0, IN * 4L);
            MemorySegment.copy(x, 0, xx, IN * 4L, IN * 4L);
            // one image, 4 samples: 4 different predictions (the reference code would give 4 equal ones)
            s.predictSamples(x, 0, 1, 4, 1, 0, logits, 0);
            double[] z = Ref.read(logits, 0, 40);
            for (int t = 1; t < 4; t++) assertNotEquals(z[0], z[10 * t], "sample " + t);
            // two copies of the image in one call share sample t's draw: equal within a sample
            s.predictSamples(xx, 0, 2, 4, 1, 0, logits, 0);
            z = Ref.read(logits, 0, 80);
            for (int t = 0; t < 4; t++) assertEquals(z[20 * t], z[20 * t + 10], "sample " + t + " of the two copies");
            assertNotEquals(z[0], z[20]);
        }
    }

    @Test
    void rejectsOversizedCalls() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 4); InferenceSession s = new InferenceSession(m, 2, 2);
             Arena a = Arena.ofConfined()) {
            MemorySegment x = images(a, 3, 1), l = a.allocate(3 * 3 * 10 * 4);
            assertThrows(IllegalArgumentException.class, () -> s.predictMean(x, 0, 3, l, 0));
            assertThrows(IllegalArgumentException.class, () -> s.predictSamples(x, 0, 1, 3, 1, 0, l, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> s.predictMean(x, 0, 2, a.allocate(4), 0));
        }
    }
}
