package io.bnn4j.bayes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * KL divergences between the mean-field posterior q = N(μ, σ²) and the prior, with their
 * exact gradients with respect to μ and σ (the caller chains σ to ρ with sigmoid(ρ)).
 *
 * <p>Range methods work on (segment, offset) runs of floats, accumulate the KL in double, skip
 * masked elements (mask value 0: a pruned weight has σ = 0 and its KL would be infinite), and
 * ADD {@code scale}·∂KL/∂μ to gMu and {@code scale}·∂KL/∂σ to gSigma (both may be null to get
 * only the value).
 */
public final class Kl {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private Kl() {}

    // ------------------------------------------------------------------ closed form, one element

    /** KL of one element: standard KL(q‖p) or reverse KL(p‖q). */
    public static double gaussian(KlKind kind, double mu, double sigma, double priorMu, double priorSigma) {
        double d = mu - priorMu;
        return switch (kind) {
            case STANDARD -> Math.log(priorSigma / sigma) + (sigma * sigma + d * d) / (2 * priorSigma * priorSigma) - 0.5;
            case REVERSE -> Math.log(sigma / priorSigma) + (priorSigma * priorSigma + d * d) / (2 * sigma * sigma) - 0.5;
        };
    }

    /** ∂KL/∂μ of one element. */
    public static double gaussianDMu(KlKind kind, double mu, double sigma, double priorMu, double priorSigma) {
        double d = mu - priorMu;
        return switch (kind) {
            case STANDARD -> d / (priorSigma * priorSigma);
            case REVERSE -> d / (sigma * sigma);
        };
    }

    /** ∂KL/∂σ of one element. */
    public static double gaussianDSigma(KlKind kind, double mu, double sigma, double priorMu, double priorSigma) {
        double d = mu - priorMu;
        return switch (kind) {
            case STANDARD -> -1.0 / sigma + sigma / (priorSigma * priorSigma);
            case REVERSE -> 1.0 / sigma - (priorSigma * priorSigma + d * d) / (sigma * sigma * sigma);
        };
    }

    /** Closed-form KL over a run of len elements; see the class doc for masks and gradients. */
    public static double closedForm(KlKind kind, Prior.Gaussian prior, int len,
                                    MemorySegment mu, long muOff, MemorySegment sigma, long sOff,
                                    MemorySegment mask, long maskOff, float scale,
                                    MemorySegment gMu, long gMuOff, MemorySegment gSigma, long gSOff) {
        return closedForm(kind, prior, null, 0, len, mu, muOff, sigma, sOff, mask, maskOff, scale, gMu, gMuOff, gSigma, gSOff);
    }

    /**
     * Closed-form KL against N(m_i, σ_p²), the prior means m_i read from {@code priorMu} at
     * {@code pmOff + i} (empirical Bayes); a null {@code priorMu} means the prior's own mean.
     */
    public static double closedForm(KlKind kind, Prior.Gaussian prior, MemorySegment priorMu, long pmOff, int len,
                                    MemorySegment mu, long muOff, MemorySegment sigma, long sOff,
                                    MemorySegment mask, long maskOff, float scale,
                                    MemorySegment gMu, long gMuOff, MemorySegment gSigma, long gSOff) {
        double pm = prior.mu(), ps = prior.sigma();
        double total = 0;
        for (int i = 0; i < len; i++) {
            if (mask != null && mask.getAtIndex(F, maskOff + i) == 0f) continue;
            if (priorMu != null) pm = priorMu.getAtIndex(F, pmOff + i);
            double m = mu.getAtIndex(F, muOff + i), s = sigma.getAtIndex(F, sOff + i);
            total += gaussian(kind, m, s, pm, ps);
            if (gMu != null) {
                long a = gMuOff + i, b = gSOff + i;
                gMu.setAtIndex(F, a, gMu.getAtIndex(F, a) + (float) (scale * gaussianDMu(kind, m, s, pm, ps)));
                gSigma.setAtIndex(F, b, gSigma.getAtIndex(F, b) + (float) (scale * gaussianDSigma(kind, m, s, pm, ps)));
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ Monte Carlo (scale mixture)

    /**
     * log q(w) − log p(w) for one sampled weight w = μ + σ·ε: log q(w) = −log σ − ε²/2 − ½log 2π.
     */
    public static double monteCarloElement(Prior.ScaleMixture prior, double mu, double sigma, double eps) {
        double w = mu + sigma * eps;
        return -Math.log(sigma) - 0.5 * eps * eps - HALF_LOG_2PI - prior.logDensity(w);
    }

    /**
     * The Monte-Carlo KL averaged over {@code samples} draws: (1/T) Σ_t Σ_i [log q(w_ti) −
     * log p(w_ti)] with w_ti = μ_i + σ_i·ε_ti, ε of draw t at {@code epsOff + t·epsStride}.
     * With ε held fixed, ∂/∂μ = −p'(w)/p(w) (the log q terms cancel: ∂log q/∂w·1 + ∂log q/∂μ = 0)
     * and ∂/∂σ = −1/σ − ε·p'(w)/p(w).
     */
    public static double monteCarlo(Prior.ScaleMixture prior, int len,
                                    MemorySegment mu, long muOff, MemorySegment sigma, long sOff,
                                    MemorySegment mask, long maskOff,
                                    MemorySegment eps, long epsOff, long epsStride, int samples, float scale,
                                    MemorySegment gMu, long gMuOff, MemorySegment gSigma, long gSOff) {
        double total = 0;
        double inv = 1.0 / samples;
        for (int i = 0; i < len; i++) {
            if (mask != null && mask.getAtIndex(F, maskOff + i) == 0f) continue;
            double m = mu.getAtIndex(F, muOff + i), s = sigma.getAtIndex(F, sOff + i);
            double dm = 0, ds = 0;
            for (int t = 0; t < samples; t++) {
                double e = eps.getAtIndex(F, epsOff + t * epsStride + i);
                total += inv * monteCarloElement(prior, m, s, e);
                double dlogp = prior.dLogDensity(m + s * e);
                dm += -dlogp;
                ds += -1.0 / s - e * dlogp;
            }
            if (gMu != null) {
                long a = gMuOff + i, b = gSOff + i;
                gMu.setAtIndex(F, a, gMu.getAtIndex(F, a) + (float) (scale * inv * dm));
                gSigma.setAtIndex(F, b, gSigma.getAtIndex(F, b) + (float) (scale * inv * ds));
            }
        }
        return total;
    }
}
