package io.bnn4j.prune;

import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.bnn4j.prune.PruneTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class FilterPrunerTest {

    /**
     * Logits of the shrunk model against the original with the removed units masked, relative
     * to the largest logit. The two compute the same sums over different sets of terms (the
     * masked one adds exact zeros in other GEMM lanes and blocks, and the folded constants enter
     * through the bias, not the GEMM), so they agree to float rounding only: observed ≤ 4e-7 of
     * the largest logit (a few ulps, sums of up to 400 terms); 2e-6 leaves a 5× margin, while a
     * missing or misplaced input slice or a missing fold moves logits by far more (checked below: > 100× the tolerance).
     */
    static final float TOL = 2e-6f;

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    static float maxAbs(float[] a) {
        float d = 0;
        for (float v : a) d = Math.max(d, Math.abs(v));
        return d;
    }

    /** 100 times the equality tolerance apart: a real difference, not rounding. */
    static void assertClearlyDifferent(float[] want, float[] got, String what) {
        float d = maxDiff(want, got);
        assertTrue(d > 100 * TOL * Math.max(1, maxAbs(want)), what + " differs by only " + d);
    }

    /** Masks the units of each hidden layer that {@code kept} leaves out: weights AND bias. */
    static void maskRemoved(Model m, int[][] kept) {
        for (int l = 0; l < kept.length; l++) {
            Parameter w = m.parameters().get(2 * l), b = m.parameters().get(2 * l + 1);
            int width = w.shape()[0], row = w.size() / width;
            float[] wm = new float[w.size()], bm = new float[width];
            Arrays.fill(wm, 1f);
            Arrays.fill(bm, 1f);
            boolean[] stays = new boolean[width];
            for (int o : kept[l]) stays[o] = true;
            for (int o = 0; o < width; o++) {
                if (stays[o]) continue;
                bm[o] = 0f;
                Arrays.fill(wm, o * row, (o + 1) * row, 0f);
            }
            w.setMask(wm);
            b.setMask(bm);
        }
    }

    static void assertClose(float[] want, float[] got, float tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        float worst = maxDiff(want, got), scale = maxAbs(want);
        assertTrue(worst <= tol * Math.max(1, scale), what + ": largest difference " + worst + " > " + tol + " x " + Math.max(1, scale));
    }

    /** A randomly initialized model with wider spreads, so that removed units matter. */
    static Model model(ModelSpec spec, long seed) {
        Model m = Model.create(spec, seed);
        java.util.Random r = new java.util.Random(seed);
        for (Parameter p : m.parameters()) {
            setMu(p, i -> 0.3 * r.nextGaussian());
            if (p.rho() != null) setRho(p, i -> -3 + 0.5 * r.nextGaussian());
        }
        m.parametersChanged();
        return m;
    }

    @Test
    void keptUnitsAreTheLargestL1PerLayerAndTheClassifierKeepsAll() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 1)) {
            // conv1 filter o gets L1 = 25·(o + 1)·0.01, except filter 4, the smallest
            Parameter c1 = m.parameter("conv1.weight");
            setMu(c1, i -> i / 25 == 4 ? 0.0001 : -0.01 * (i / 25 + 1));
            m.parametersChanged();
            int[][] k = FilterPruner.keptUnits(m, 0.5);
            assertEquals(4, k.length, "hidden layers only");
            assertArrayEquals(new int[]{2, 3, 5}, k[0], "3 of 6 go: 4 (smallest), 0, 1");
            assertEquals(8, k[1].length);
            assertEquals(60, k[2].length);
            assertEquals(42, k[3].length);
            // ties: all equal → lowest indices go
            setMu(c1, i -> 0.5);
            m.parametersChanged();
            assertArrayEquals(new int[]{3, 4, 5}, FilterPruner.keptUnits(m, 0.5)[0]);
            // a layer keeps at least one unit
            assertEquals(1, FilterPruner.keptUnits(m, 1.0)[0].length);
        }
    }

    @Test
    void shrunkLenetGivesTheMaskedModelsMeanLogits() {
        // softplus: removed units output ln 2, folded into the next biases (the key check of the copy)
        for (Activation act : Activation.values()) {
            ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withActivation(act);
            try (Model m = model(spec, 2); Model masked = Pruner.copyOf(m)) {
                int[][] kept = FilterPruner.keptUnits(m, 0.5);
                maskRemoved(masked, kept);
                try (Model small = FilterPruner.shrink(m, kept)) {
                    assertArrayEquals(new int[]{3, 8, 60, 42}, small.spec().widths());
                    assertTrue(small.meanCount() < m.meanCount() / 3, small.meanCount() + " means");
                    float[] x = images(m, 5, 3);
                    float[] want = meanLogits(masked, x), got = meanLogits(small, x);
                    assertClose(want, got, TOL, act + " lenet5");
                    // and it is not trivially so: the unmasked model differs clearly
                    assertClearlyDifferent(want, meanLogits(m, x), "the unpruned model");
                }
            }
        }
    }

    @Test
    void withoutTheFoldSoftplusWouldShiftTheLogits() {
        // the same shrink with a = 0 assumed (no fold) is measurably off: the fold is what makes it exact
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10);
        try (Model m = model(spec, 4); Model masked = Pruner.copyOf(m)) {
            int[][] kept = FilterPruner.keptUnits(m, 0.5);
            maskRemoved(masked, kept);
            try (Model small = FilterPruner.shrink(m, kept); Model noFold = Model.allocate(small.spec())) {
                // undo the fold: the plain copy of each kept bias
                noFold.allMu().copyFrom(small.allMu());
                noFold.allRho().copyFrom(small.allRho());
                for (int l = 1; l < 5; l++) {
                    Parameter b = m.parameters().get(2 * l + 1), nb = noFold.parameters().get(2 * l + 1);
                    int[] outKept = l < 4 ? kept[l] : java.util.stream.IntStream.range(0, 10).toArray();
                    for (int i = 0; i < outKept.length; i++) nb.mu().setFlat(i, b.mu().getFlat(outKept[i]));
                }
                noFold.parametersChanged();
                float[] x = images(m, 5, 3);
                assertClearlyDifferent(meanLogits(masked, x), meanLogits(noFold, x), "the copy without the fold");
            }
        }
    }

    @Test
    void foldedBiasVarianceReproducesLrtSamples() {
        // Only fc2's last 4 of 84 units go. With one image and one sample, every layer up to fc2 and
        // the classifier draw the same ε in both models (same layer ordinal, same element index), so
        // the sampled logits agree when σ_b² of fc3 carries the removed units' a²·Σσ_W².
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10);
        try (Model m = model(spec, 5); Model masked = Pruner.copyOf(m)) {
            // make fc3's weights from the removed units very uncertain, so the variance fold matters
            Parameter fc3 = m.parameter("fc3.weight");
            for (int o = 0; o < 10; o++) for (int c = 80; c < 84; c++) fc3.rho().setFlat(o * 84 + c, 1.5f);
            m.parametersChanged();
            masked.allRho().copyFrom(m.allRho());
            masked.parametersChanged();
            int[][] kept = {range(6), range(16), range(120), range(80)};
            maskRemoved(masked, kept);
            try (Model small = FilterPruner.shrink(m, kept)) {
                float[] x = images(m, 1, 6);
                float[] want = sampleLogits(masked, x, 1, 9, 4), got = sampleLogits(small, x, 1, 9, 4);
                // the masked model's removed units are 0 + 1e-8·ε before softplus, not exactly 0:
                // a ~1e-8 difference on top of the rounding
                assertClose(want, got, TOL, "LRT sample");
                // without the variance fold the sample is clearly different
                Parameter b = small.parameter("fc3.bias");
                for (int o = 0; o < 10; o++) b.rho().setFlat(o, m.parameter("fc3.bias").rho().getFlat(o));
                small.parametersChanged();
                assertClearlyDifferent(want, sampleLogits(small, x, 1, 9, 4), "the sample without the variance fold");
            }
        }
    }

    static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    @Test
    void paddedConvsWithReluShrinkExactly() {
        // 3conv3fc pads its convolutions; with ReLU a removed unit outputs 0, so no fold is needed
        ModelSpec spec = ModelSpec.of("3conv3fc", 3, 10).withActivation(Activation.RELU).withWidths(6, 8, 10, 24, 16);
        try (Model m = model(spec, 7); Model masked = Pruner.copyOf(m)) {
            int[][] kept = FilterPruner.keptUnits(m, 0.3);
            maskRemoved(masked, kept);
            try (Model small = FilterPruner.shrink(m, kept)) {
                assertArrayEquals(new int[]{4, 6, 7, 17, 11}, small.spec().widths());
                float[] x = images(m, 3, 8);
                assertClose(meanLogits(masked, x), meanLogits(small, x), TOL, "3conv3fc relu");
            }
        }
    }

    @Test
    void masksAndNonBayesianModelsAreCopied() {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.NONE).withActivation(Activation.RELU);
        try (Model m = model(spec, 9)) {
            WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.5, PruneScope.GLOBAL);
            int[][] kept = FilterPruner.keptUnits(m, 0.25);
            try (Model masked = Pruner.copyOf(m)) {
                maskRemoved(masked, kept);
                try (Model small = FilterPruner.shrink(m, kept)) {
                    assertNull(small.allRho());
                    assertNotNull(small.parameter("fc1.weight").mask(), "the masks travel");
                    assertEquals(0, Masks.violations(small));
                    assertEquals(0, Masks.nonCanonicalZeros(small));
                    float[] x = images(m, 2, 10);
                    assertClose(meanLogits(masked, x), meanLogits(small, x), TOL, "masked none");
                }
            }
        }
    }

    @Test
    void fractionZeroIsAnExactCopy() {
        try (Model m = model(ModelSpec.of("lenet5", 1, 10), 11); Model same = FilterPruner.shrink(m, 0.0)) {
            assertEquals(m.spec(), same.spec());
            assertArrayEquals(m.allMu().toArray(), same.allMu().toArray());
            assertArrayEquals(m.allRho().toArray(), same.allRho().toArray());
        }
    }

    @Test
    void inverseSoftplusInvertsSoftplus() {
        for (double s : new double[]{1e-6, 0.0067, 0.5, 3, 25}) {
            assertEquals(s, WeightPruner.softplus(FilterPruner.inverseSoftplus(s)), 1e-12 * Math.max(1, s) + 1e-15 / s);
        }
    }
}
