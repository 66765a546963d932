package io.bnn4j.bayes;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

class KlTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void closedFormMatchesHandComputedValues() {
        // μ = 0.3, σ = 0.2, prior N(0, 0.1²):
        // standard: ln(0.1/0.2) + (0.04 + 0.09)/(2·0.01) − ½ = −0.6931472 + 6.5 − 0.5
        assertEquals(-Math.log(2) + 6.0, Kl.gaussian(KlKind.STANDARD, 0.3, 0.2, 0, 0.1), 1e-12);
        // reverse: ln(0.2/0.1) + (0.01 + 0.09)/(2·0.04) − ½ = 0.6931472 + 1.25 − 0.5
        assertEquals(Math.log(2) + 0.75, Kl.gaussian(KlKind.REVERSE, 0.3, 0.2, 0, 0.1), 1e-12);
        // KL of a distribution with itself is 0, either way; a prior mean shifts μ
        assertEquals(0, Kl.gaussian(KlKind.STANDARD, 0.5, 0.1, 0.5, 0.1), 1e-15);
        assertEquals(0, Kl.gaussian(KlKind.REVERSE, 0.5, 0.1, 0.5, 0.1), 1e-15);
        // the PyTorch anchor's initial KL per weight: σ = softplus(−5) ≈ 0.0067153, μ = 0
        double s = Math.log1p(Math.exp(-5));
        assertEquals(Math.log(0.1 / s) + s * s / 0.02 - 0.5, Kl.gaussian(KlKind.STANDARD, 0, s, 0, 0.1), 1e-12);
        assertEquals(2.2030, Kl.gaussian(KlKind.STANDARD, 0, s, 0, 0.1), 1e-4);
    }

    @Test
    void closedFormGradientsMatchFiniteDifferences() {
        for (KlKind kind : KlKind.values()) {
            double mu = 0.13, sigma = 0.07, h = 1e-7;
            double dMu = (Kl.gaussian(kind, mu + h, sigma, 0.02, 0.1) - Kl.gaussian(kind, mu - h, sigma, 0.02, 0.1)) / (2 * h);
            double dS = (Kl.gaussian(kind, mu, sigma + h, 0.02, 0.1) - Kl.gaussian(kind, mu, sigma - h, 0.02, 0.1)) / (2 * h);
            assertEquals(dMu, Kl.gaussianDMu(kind, mu, sigma, 0.02, 0.1), 1e-6 * Math.abs(dMu) + 1e-9, kind + " dmu");
            assertEquals(dS, Kl.gaussianDSigma(kind, mu, sigma, 0.02, 0.1), 1e-6 * Math.abs(dS) + 1e-9, kind + " dsigma");
        }
    }

    @Test
    void rangeSkipsMaskedElementsAndAccumulatesScaledGradients() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mu = a.allocate(3 * 4), sig = a.allocate(3 * 4), mask = a.allocate(3 * 4), gm = a.allocate(3 * 4), gs = a.allocate(3 * 4);
            float[] m = {0.3f, -0.1f, 0.5f}, s = {0.2f, 0.05f, 0f}, k = {1, 1, 0};
            for (int i = 0; i < 3; i++) {
                mu.setAtIndex(F, i, m[i]);
                sig.setAtIndex(F, i, s[i]);
                mask.setAtIndex(F, i, k[i]);
                gm.setAtIndex(F, i, 1f);
            }
            Prior.Gaussian p = Prior.defaultPrior();
            double kl = Kl.closedForm(KlKind.STANDARD, p, 3, mu, 0, sig, 0, mask, 0, 0.5f, gm, 0, gs, 0);
            double want = Kl.gaussian(KlKind.STANDARD, m[0], s[0], 0, 0.1) + Kl.gaussian(KlKind.STANDARD, m[1], s[1], 0, 0.1);
            assertEquals(want, kl, 1e-5 * want);
            assertEquals(1 + 0.5 * m[0] / 0.01, gm.getAtIndex(F, 0), 1e-4);
            assertEquals(1f, gm.getAtIndex(F, 2), "masked: untouched");
            assertEquals(0f, gs.getAtIndex(F, 2));
            assertTrue(Double.isFinite(kl), "σ = 0 under the mask must not give an infinite KL");
        }
    }

    @Test
    void scaleMixtureDensityIsStableAndDifferentiable() {
        Prior.ScaleMixture mix = new Prior.ScaleMixture(0.25, 1.0, Math.exp(-6));
        for (double w : new double[]{0, 0.001, 0.01, 0.3, 2}) {
            double direct = Math.log(0.25 * normal(w, 1.0) + 0.75 * normal(w, Math.exp(-6)));
            assertEquals(direct, mix.logDensity(w), 1e-10 * Math.max(1, Math.abs(direct)), "w=" + w);
            double h = 1e-7 * Math.max(1e-3, Math.abs(w));
            double fd = (mix.logDensity(w + h) - mix.logDensity(w - h)) / (2 * h);
            assertEquals(fd, mix.dLogDensity(w), 1e-5 * Math.max(1, Math.abs(fd)), "d/dw at " + w);
        }
        // far in the tail the narrow component underflows in the direct formula but not here
        double far = mix.logDensity(50);
        assertEquals(Math.log(0.25) - 50.0 * 50.0 / 2 - 0.5 * Math.log(2 * Math.PI), far, 1e-9 * Math.abs(far));
        assertTrue(Double.isFinite(mix.dLogDensity(50)));
    }

    @Test
    void monteCarloElementIsLogQMinusLogP() {
        Prior.ScaleMixture mix = Prior.blundell();
        double mu = 0.1, sigma = 0.05, eps = -0.7, w = mu + sigma * eps;
        double logQ = Math.log(normal(w - mu, sigma));
        assertEquals(logQ - mix.logDensity(w), Kl.monteCarloElement(mix, mu, sigma, eps), 1e-10);
    }

    @Test
    void priorsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Prior.gaussian(0));
        assertThrows(IllegalArgumentException.class, () -> Prior.gaussian(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Prior.ScaleMixture(1.0, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Prior.ScaleMixture(0.5, -1, 0.1));
    }

    private static double normal(double x, double s) {
        return Math.exp(-x * x / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI));
    }
}
