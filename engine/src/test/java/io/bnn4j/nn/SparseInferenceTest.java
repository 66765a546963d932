package io.bnn4j.nn;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pruned dense layers run on sparse rows in inference ({@link Model#SPARSE_MAX_DENSITY}): the
 * logits must match a twin holding the same numbers densely (removed μ = 0, σ = 0 through ρ =
 * −100, no mask, so no sparse path) for the mean, LRT, BBB and Flipout samples.
 */
class SparseInferenceTest {

    /** A model with 97% of fc1 and fc2 masked (sparse path) and 10% of conv2 (stays dense). */
    static Model pruned(Estimator e, long seed) {
        Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withEstimator(e).withWidths(4, 8, 40, 30), seed);
        Random r = new Random(seed);
        for (String name : new String[]{"conv2.weight", "fc1.weight", "fc2.weight"}) {
            Parameter p = m.parameter(name);
            float[] mask = new float[p.size()];
            double keep = name.startsWith("conv") ? 0.9 : 0.03;   // fc: well under SPARSE_MAX_DENSITY
            for (int i = 0; i < mask.length; i++) mask[i] = r.nextDouble() < keep ? 1f : 0f;
            p.setMask(mask);
        }
        return m;
    }

    /** The same numbers without masks: removed μ = 0 and ρ = −200 (σ = e^−200 underflows to 0: Flipout adds σ·ε itself, so σ² alone underflowing is not enough). */
    static Model denseTwin(Model m) {
        Model t = Model.allocate(m.spec());
        t.allMu().copyFrom(m.allMu());
        if (m.bayesian()) t.allRho().copyFrom(m.allRho());
        for (int i = 0; i < m.parameters().size(); i++) {
            Parameter p = m.parameters().get(i), q = t.parameters().get(i);
            if (p.mask() == null) continue;
            float[] mask = p.mask().toArray();
            for (int j = 0; j < mask.length; j++) {
                if (mask[j] != 0f) continue;
                q.mu().setFlat(j, 0f);
                if (q.rho() != null) q.rho().setFlat(j, -200f);
            }
        }
        t.parametersChanged();
        return t;
    }

    static float[] logits(Model m, MemorySegment x, int n, int samples) {
        try (Arena a = Arena.ofConfined(); InferenceSession s = new InferenceSession(m, n, Math.max(1, samples), Parallel.serial())) {
            MemorySegment out = a.allocate((long) n * Math.max(1, samples) * 10 * 4);
            if (samples == 0) s.predictMean(x, 0, n, out, 0);
            else s.predictSamples(x, 0, n, samples, 3, 7, out, 0);
            return out.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
    }

    @Test
    void sparseRowsGiveTheDenseLogits() {
        for (Estimator e : Estimator.values()) {
            try (Model m = pruned(e, 5); Model twin = denseTwin(m); Arena a = Arena.ofConfined()) {
                MemorySegment x = InferenceSessionTest.images(a, 5, 9);
                for (int samples : new int[]{0, 1, 4, 8}) {   // 5 × 8 = 40 rows: over SPARSE_MAX_ROWS
                    if (samples == 0) {
                        try (InferenceSession s = new InferenceSession(m, 1, 1)) {
                            assertTrue(m.usesSparseInference(), "fc1 and fc2 run sparse");
                        }
                        assertFalse(twin.usesSparseInference());
                    }
                    float[] want = logits(twin, x, 5, samples);
                    float[] got = logits(m, x, 5, samples);
                    // LRT runs a block's T samples as one call of n·T rows; Flipout and dropout run each sample's n rows on their own
                    int rowsPerCall = e == Estimator.FLIPOUT || e == Estimator.DROPOUT ? 5 : 5 * Math.max(1, samples);
                    if (rowsPerCall > Model.SPARSE_MAX_ROWS) {
                        // too many rows for sparse rows: the masked model runs the twin's dense products, bit for bit
                        assertArrayEquals(want, got, e + " T=" + samples + ": dense path");
                        continue;
                    }
                    // same terms, other summation order: float rounding of sums of ≤ 400 terms (|logits| ≲ 1)
                    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, e + " T=" + samples + " at " + i);
                }
            }
        }
    }

    @Test
    void sparseRowsAreDroppedWhenParametersChange() {
        try (Model m = pruned(Estimator.LRT, 6)) {
            try (InferenceSession s = new InferenceSession(m, 1, 1)) {
                assertTrue(m.usesSparseInference());
            }
            m.parameter("fc1.weight").mu().setFlat(0, 0.5f);
            m.parametersChanged();
            assertFalse(m.usesSparseInference(), "stale values are never used");
            try (Model dense = Model.create(ModelSpec.of("lenet5", 1, 10).withWidths(4, 8, 40, 30), 6);
                 InferenceSession s = new InferenceSession(dense, 1, 1)) {
                assertFalse(dense.usesSparseInference(), "no masks, no sparse rows");
            }
        }
    }
}
