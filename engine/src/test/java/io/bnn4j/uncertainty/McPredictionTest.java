package io.bnn4j.uncertainty;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class McPredictionTest {

    // Hand-computed values below are exact decimals; 1e-12 covers double rounding of a few
    // operations on numbers of order 1. Inputs given as float add float rounding: 1e-6.
    private static final double EXACT = 1e-12;
    private static final double FLOAT_INPUT = 1e-6;

    @Test
    void uniformLogitsGiveEntropyLnCAndNoEpistemicPart() {
        int classes = 10, samples = 3;
        float[] logits = new float[samples * classes];
        java.util.Arrays.fill(logits, 0.7f);
        McPrediction p = new McPrediction(classes).compute(logits, 0, samples, Normalization.SOFTMAX);
        assertEquals(Math.log(10), p.entropy(), EXACT);
        assertEquals(Math.log(10), p.expectedEntropy(), EXACT);
        assertEquals(0.0, p.mutualInformation(), EXACT);           // identical samples: no disagreement
        assertEquals(0.0, p.epistemic(), EXACT);
        assertEquals(0.1, p.confidence(), EXACT);
        assertEquals(0, p.predicted());                             // exact tie: lowest index
        assertEquals(10 * (0.1 - 0.01), p.aleatoric(), EXACT);     // Σ_c p(1 − p)
    }

    @Test
    void identicalNonUniformSamplesHaveZeroMutualInformation() {
        float[] rows = {2f, -1f, 0.5f, 2f, -1f, 0.5f, 2f, -1f, 0.5f, 2f, -1f, 0.5f};   // T = 4, C = 3
        McPrediction p = new McPrediction(3).compute(rows, 0, 4, Normalization.SOFTMAX);
        assertEquals(0.0, p.mutualInformation(), EXACT);
        assertEquals(p.entropy(), p.expectedEntropy(), EXACT);
        assertTrue(p.hasUncertaintySplit());
    }

    @Test
    void twoConfidentSamplesOnDifferentClassesGiveMutualInformationLn2() {
        float[] probs = {1f, 0f, 0f, 1f};                           // T = 2 one-hot rows, C = 2
        McPrediction p = new McPrediction(2).compute(probs, 0, 2, Normalization.PROBABILITIES);
        assertEquals(Math.log(2), p.entropy(), EXACT);
        assertEquals(0.0, p.expectedEntropy(), EXACT);              // 0·ln 0 = 0
        assertEquals(Math.log(2), p.mutualInformation(), EXACT);
        assertEquals(0.0, p.aleatoric(), EXACT);                    // each sample is certain
        assertEquals(0.25, p.epistemic(0), EXACT);                  // ((1 − .5)² + (0 − .5)²)/2
        assertEquals(0.5, p.epistemic(), EXACT);
    }

    @Test
    void kwonSplitMatchesHandComputationForTwoSamplesThreeClasses() {
        // p̂_1 = (.5, .3, .2), p̂_2 = (.1, .6, .3); p̄ = (.3, .45, .25)
        // aleatoric_c = mean_t(p − p²): (.25 + .09)/2 = .17, (.21 + .24)/2 = .225, (.16 + .21)/2 = .185
        // epistemic_c = mean_t(p − p̄)²: (.04 + .04)/2 = .04, (.0225 + .0225)/2 = .0225, (.0025 + .0025)/2 = .0025
        float[] probs = {0.5f, 0.3f, 0.2f, 0.1f, 0.6f, 0.3f};
        McPrediction p = new McPrediction(3).compute(probs, 0, 2, Normalization.PROBABILITIES);
        assertArrayEquals(new double[]{0.3, 0.45, 0.25}, p.probabilities(), FLOAT_INPUT);
        assertArrayEquals(new double[]{0.17, 0.225, 0.185}, p.aleatoricPerClass(), FLOAT_INPUT);
        assertArrayEquals(new double[]{0.04, 0.0225, 0.0025}, p.epistemicPerClass(), FLOAT_INPUT);
        assertEquals(0.58, p.aleatoric(), FLOAT_INPUT);
        assertEquals(0.065, p.epistemic(), FLOAT_INPUT);
        assertEquals(1, p.predicted());
        assertEquals(0.45, p.confidence(), FLOAT_INPUT);
        double h1 = -(0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 0.2 * Math.log(0.2));
        double h2 = -(0.1 * Math.log(0.1) + 0.6 * Math.log(0.6) + 0.3 * Math.log(0.3));
        double hMean = -(0.3 * Math.log(0.3) + 0.45 * Math.log(0.45) + 0.25 * Math.log(0.25));
        assertEquals(hMean, p.entropy(), FLOAT_INPUT);
        assertEquals((h1 + h2) / 2, p.expectedEntropy(), FLOAT_INPUT);
        assertEquals(hMean - (h1 + h2) / 2, p.mutualInformation(), FLOAT_INPUT);
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        // softmax(0, ln 3) = (1/4, 3/4), and shifting every logit by 1000 changes nothing.
        float ln3 = (float) Math.log(3);
        for (float shift : new float[]{0f, 1000f, -1000f}) {
            float[] z = {shift, shift + ln3};
            McPrediction p = new McPrediction(2).compute(z, 0, 1, Normalization.SOFTMAX);
            // ulp(1000f) ≈ 6e-5 perturbs the logit difference by up to that much.
            double tol = shift == 0 ? FLOAT_INPUT : 1e-4;
            assertEquals(0.25, p.probability(0), tol, "shift " + shift);
            assertEquals(0.75, p.probability(1), tol, "shift " + shift);
        }
    }

    @Test
    void softplusNormalizationFollowsShridhar() {
        // softplus(ln(e − 1)) = 1 and softplus(ln(e² − 1)) = 2: probabilities (1/3, 2/3).
        float[] z = {(float) Math.log(Math.E - 1), (float) Math.log(Math.E * Math.E - 1)};
        McPrediction p = new McPrediction(2).compute(z, 0, 1, Normalization.SOFTPLUS);
        assertEquals(1.0 / 3, p.probability(0), FLOAT_INPUT);
        assertEquals(2.0 / 3, p.probability(1), FLOAT_INPUT);
        // softplus(0) = ln 2 for both: uniform.
        p.compute(new float[]{0f, 0f}, 0, 1, Normalization.SOFTPLUS);
        assertEquals(0.5, p.probability(0), EXACT);
        // A large logit: softplus(z) = z for z = 100 (to 1e-44), softplus(0) = ln 2.
        p.compute(new float[]{100f, 0f}, 0, 1, Normalization.SOFTPLUS);
        assertEquals(Math.log(2) / (100 + Math.log(2)), p.probability(1), EXACT);
        // Far below −745 every softplus underflows to 0; the limit is softmax: (1, e⁻¹)/(1 + e⁻¹).
        p.compute(new float[]{-1000f, -1001f}, 0, 1, Normalization.SOFTPLUS);
        assertEquals(1 / (1 + Math.exp(-1)), p.probability(0), EXACT);
    }

    @Test
    void meanWeightsGiveEntropyOnly() {
        float[] z = {1f, 2f, 3f, 99f, 99f, 99f};                    // a second row that must be ignored
        McPrediction p = new McPrediction(3).computeMean(z, 0, Normalization.SOFTMAX);
        assertTrue(p.isMeanWeights());
        assertFalse(p.hasUncertaintySplit());
        assertEquals(1, p.samples());
        assertEquals(0.0, p.mutualInformation());
        assertEquals(0.0, p.epistemic());
        double s = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double h = 0;
        for (int c = 1; c <= 3; c++) h -= Math.exp(c) / s * Math.log(Math.exp(c) / s);
        assertEquals(h, p.entropy(), EXACT);
        assertEquals(2, p.predicted());
        // Reused for Monte-Carlo afterwards: the flag follows the last computation.
        p.compute(z, 0, 2, Normalization.SOFTMAX);
        assertFalse(p.isMeanWeights());
        assertTrue(p.hasUncertaintySplit());
    }

    @Test
    void identitiesHoldOnRandomLogitsAndSegmentInputAgrees() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            int classes = 1 + rnd.nextInt(12), samples = 1 + rnd.nextInt(9), offset = rnd.nextInt(5);
            float[] z = new float[offset + samples * classes];
            for (int i = 0; i < z.length; i++) z[i] = (float) (rnd.nextGaussian() * 4);
            for (Normalization norm : new Normalization[]{Normalization.SOFTMAX, Normalization.SOFTPLUS}) {
                McPrediction p = new McPrediction(classes).compute(z, offset, samples, norm);
                double sum = 0, sumSq = 0;
                for (int c = 0; c < classes; c++) { sum += p.probability(c); sumSq += p.probability(c) * p.probability(c); }
                assertEquals(1.0, sum, 1e-12);
                // Law of total variance on the diagonal: Σ aleatoric + Σ epistemic = 1 − Σ p̄².
                assertEquals(1 - sumSq, p.aleatoric() + p.epistemic(), 1e-12);
                assertTrue(p.mutualInformation() >= 0);
                assertTrue(p.entropy() <= Math.log(classes) + 1e-12);
                assertEquals(p.entropy(), p.expectedEntropy() + p.mutualInformation(), 1e-12);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment seg = arena.allocate((long) z.length * Float.BYTES);
                    MemorySegment.copy(z, 0, seg, ValueLayout.JAVA_FLOAT, 0, z.length);
                    McPrediction q = new McPrediction(classes).compute(seg, offset, samples, norm);
                    assertEquals(p.entropy(), q.entropy());
                    assertEquals(p.epistemic(), q.epistemic());
                    assertArrayEquals(p.probabilities(), q.probabilities());
                }
            }
        }
    }

    @Test
    void copyIsIndependentOfLaterComputations() {
        McPrediction p = new McPrediction(2).compute(new float[]{1f, 0f, 0f, 1f}, 0, 2, Normalization.PROBABILITIES);
        McPrediction snapshot = p.copy();
        p.compute(new float[]{1f, 0f}, 0, 1, Normalization.PROBABILITIES);
        assertEquals(Math.log(2), snapshot.mutualInformation(), EXACT);
        assertEquals(0.0, p.entropy());
    }

    @Test
    void badInputIsRefused() {
        McPrediction p = new McPrediction(3);
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[5], 0, 2, Normalization.SOFTMAX));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[6], 1, 2, Normalization.SOFTMAX));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[6], 0, 0, Normalization.SOFTMAX));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[]{1, Float.NaN, 0}, 0, 1, Normalization.SOFTMAX));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[]{1, Float.POSITIVE_INFINITY, 0}, 0, 1, Normalization.SOFTPLUS));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[]{0.5f, -0.1f, 0.6f}, 0, 1, Normalization.PROBABILITIES));
        assertThrows(IllegalArgumentException.class, () -> p.compute(new float[3], 0, 1, Normalization.PROBABILITIES));
        assertThrows(IllegalArgumentException.class, () -> new McPrediction(0));
        assertEquals(Normalization.SOFTPLUS, Normalization.of(" SoftPlus "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Normalization.of("relu"));
        assertEquals("'relu' is not one of softmax, softplus, probabilities", e.getMessage());
    }

    @Test
    void steadyStateComputationAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter disabled");
        int classes = 10, samples = 16;
        float[] z = new float[samples * classes];
        Random rnd = new Random(1);
        for (int i = 0; i < z.length; i++) z[i] = (float) rnd.nextGaussian();
        McPrediction p = new McPrediction(classes);
        EvaluationAccumulator acc = new EvaluationAccumulator(classes);
        double sink = 0;
        for (int i = 0; i < 20_000; i++) {       // warm-up: scratch grows once, the JIT compiles
            p.compute(z, 0, samples, i % 2 == 0 ? Normalization.SOFTMAX : Normalization.SOFTPLUS);
            acc.add(p, i % classes);
            sink += p.entropy();
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 20_000; i++) {
            p.compute(z, 0, samples, i % 2 == 0 ? Normalization.SOFTMAX : Normalization.SOFTPLUS);
            acc.add(p, i % classes);
            sink += p.mutualInformation();
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(sink > 0);
        // One boxed object per call would be ≥ 320,000 bytes; allow a little for the counter's own bookkeeping.
        assertTrue(allocated < 4096, "steady-state compute allocated " + allocated + " bytes over 20,000 calls");
    }
}
