package io.bnn4j.prune;

import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static io.bnn4j.prune.PruneTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class WeightPrunerTest {

    /**
     * A tiny LeNet-5 (widths 1, 1, 2, 2; 2 classes): weight tensors of 25, 25, 50, 4 and 4
     * elements (108 weights). |μ| grows with the layer (layer L holds L + 0.001·i, signs
     * alternating), so a global threshold takes whole early layers while per-layer takes the
     * same fraction of each.
     */
    static Model tiny(Estimator e) {
        Model m = Model.create(ModelSpec.of("lenet5", 1, 2).withWidths(1, 1, 2, 2).withEstimator(e), 3);
        int layer = 0;
        for (Parameter p : m.parameters()) {
            if (p.isBias()) continue;
            int base = ++layer;
            setMu(p, i -> (i % 2 == 0 ? 1 : -1) * (base + 0.001 * i));
        }
        m.parametersChanged();
        return m;
    }

    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Test
    void globalThresholdTakesTheSmallestWeightsOfTheWholeNetwork() {
        try (Model m = tiny(Estimator.LRT)) {
            assertEquals(108, Masks.weightCount(m));
            // 30 of 108: all 25 of conv1 (|μ| ≈ 1) and the 5 smallest of conv2 (|μ| = 2 + 0.001·i, i = 0..4)
            WeightPruner.Summary s = WeightPruner.prune(m, PruneMethod.MAGNITUDE, 30 / 108.0, PruneScope.GLOBAL);
            assertEquals(30, s.removed());
            assertEquals(range(0, 25), removed(m.parameter("conv1.weight")));
            assertEquals(range(0, 5), removed(m.parameter("conv2.weight")));
            assertEquals(List.of(), removed(m.parameter("fc1.weight")));
            assertNull(m.parameter("fc3.weight").mask(), "an untouched tensor gets no mask");
            assertNull(m.parameter("conv1.bias").mask(), "biases are never pruned");
            assertEquals(0, Masks.violations(m));
        }
    }

    @Test
    void perLayerScopeTakesTheSameFractionOfEveryTensor() {
        try (Model m = tiny(Estimator.LRT)) {
            // 0.5 of each: 12.5 → 13 (round half up) of 25, 25 of 50, 2 of 4
            WeightPruner.Summary s = WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.5, PruneScope.PER_LAYER);
            assertEquals(range(0, 13), removed(m.parameter("conv1.weight")));
            assertEquals(range(0, 13), removed(m.parameter("conv2.weight")));
            assertEquals(range(0, 25), removed(m.parameter("fc1.weight")));
            assertEquals(range(0, 2), removed(m.parameter("fc2.weight")));
            assertEquals(range(0, 2), removed(m.parameter("fc3.weight")));
            assertEquals(13 + 13 + 25 + 2 + 2, s.removed());
        }
    }

    @Test
    void removedWeightsAreExactlyZeroAndSigmaZeroAndStoredAsPlusZero() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 5)) {
            WeightPruner.Summary s = WeightPruner.prune(m, PruneMethod.SNR, 0.9, PruneScope.GLOBAL);
            assertEquals(Math.round(0.9 * 61_470), s.removed());
            assertEquals(0.9, Masks.weightSparsity(m), 1e-4);
            assertEquals(0, Masks.violations(m));
            assertEquals(0, Masks.nonCanonicalZeros(m), "μ and ρ are +0.0 where removed");
            assertEquals(61_706 - s.removed(), m.activeMeanCount());
        }
    }

    @Test
    void snrAndMagnitudeDisagreeWhenSigmaDiffers() {
        try (Model m = tiny(Estimator.LRT)) {
            Parameter w = m.parameter("fc2.weight");
            // element 0: large |μ| but very uncertain (σ = softplus(3) ≈ 3.05): SNR ≈ 0.33
            // element 1: small |μ| but certain (σ = softplus(−5) ≈ 0.0067): SNR ≈ 75
            // elements 2, 3: |μ| = 1 and 1.5 with σ ≈ 0.0067: SNR 150, 224
            setMu(w, i -> new double[]{1.0, 0.5, 1.0, -1.5}[i]);
            setRho(w, i -> i == 0 ? 3 : -5);
            m.parametersChanged();
            float[] snr = WeightPruner.scores(w, PruneMethod.SNR), mag = WeightPruner.scores(w, PruneMethod.MAGNITUDE);
            assertEquals(1.0 / Math.log1p(Math.exp(3)), snr[0], 1e-6);
            assertEquals(1.5f, mag[3]);
            try (Model a = Pruner.copyOf(m); Model b = Pruner.copyOf(m)) {
                WeightPruner.prune(a, PruneMethod.SNR, 0.25, PruneScope.PER_LAYER);
                WeightPruner.prune(b, PruneMethod.MAGNITUDE, 0.25, PruneScope.PER_LAYER);
                assertEquals(List.of(0), removed(a.parameter("fc2.weight")), "snr drops the uncertain weight");
                assertEquals(List.of(1), removed(b.parameter("fc2.weight")), "magnitude drops the small one");
            }
        }
    }

    @Test
    void tiesGoLowestIndexFirst() {
        try (Model m = tiny(Estimator.LRT)) {
            setMu(m.parameter("fc1.weight"), i -> 0.25);
            m.parametersChanged();
            WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.2, PruneScope.PER_LAYER);
            assertEquals(range(0, 10), removed(m.parameter("fc1.weight")));
        }
    }

    @Test
    void sparsityZeroChangesNothing() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 6)) {
            float[] mu = m.allMu().toArray(), rho = m.allRho().toArray();
            float[] x = images(m, 3, 1), before = meanLogits(m, x);
            WeightPruner.Summary s = WeightPruner.prune(m, PruneMethod.SNR, 0.0, PruneScope.GLOBAL);
            assertEquals(0, s.removed());
            assertNull(m.maskRegion(), "no mask was created");
            assertArrayEquals(mu, m.allMu().toArray());
            assertArrayEquals(rho, m.allRho().toArray());
            assertArrayEquals(before, meanLogits(m, x));
        }
    }

    @Test
    void pruningAgainKeepsEarlierRemovalsAndNeverRestores() {
        try (Model m = tiny(Estimator.LRT)) {
            WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.5, PruneScope.GLOBAL);
            List<Integer> fc1 = removed(m.parameter("fc1.weight"));
            WeightPruner.Summary s = WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.1, PruneScope.GLOBAL);
            assertEquals(54, s.removed(), "max(previous 54, target 11)");
            assertEquals(fc1, removed(m.parameter("fc1.weight")));
        }
    }

    @Test
    void maskedModelPredictsLikeZeroWeights() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withWidths(4, 8, 30, 20), 8);
             Model z = Model.create(ModelSpec.of("lenet5", 1, 10).withWidths(4, 8, 30, 20), 8)) {
            WeightPruner.prune(m, PruneMethod.MAGNITUDE, 0.97, PruneScope.GLOBAL);   // fc1 under SPARSE_MAX_DENSITY
            // z: the same numbers with removed μ written as 0 by hand and no mask
            float[] mu = z.allMu().toArray(), kept = m.allMu().toArray();
            for (int i = 0; i < mu.length; i++) if (kept[i] == 0f) mu[i] = 0f;
            z.allMu().copyFrom(mu);
            z.parametersChanged();
            float[] x = images(m, 4, 2);
            float[] want = meanLogits(z, x), got = meanLogits(m, x);
            // the masked model's sparse dense layers (fc1 here) sum the same nonzero terms in another
            // order than the dense GEMM: float rounding of ≤ 750-term sums of |logits| ≲ 1
            assertTrue(m.usesSparseInference(), "the masked model runs fc1 on sparse rows");
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, "logit " + i);
        }
    }

    @Test
    void refusesWhatItCannotDo() {
        try (Model none = tiny(Estimator.NONE)) {
            assertThrows(IllegalArgumentException.class, () -> WeightPruner.prune(none, PruneMethod.SNR, 0.5, PruneScope.GLOBAL));
            WeightPruner.prune(none, PruneMethod.MAGNITUDE, 0.5, PruneScope.GLOBAL);
            assertEquals(54, Masks.removedWeights(none));
            assertThrows(IllegalArgumentException.class, () -> WeightPruner.prune(none, PruneMethod.MAGNITUDE, 1.5, PruneScope.GLOBAL));
            assertThrows(IllegalArgumentException.class, () -> WeightPruner.prune(none, PruneMethod.L1_FILTER, 0.5, PruneScope.GLOBAL));
        }
    }
}
