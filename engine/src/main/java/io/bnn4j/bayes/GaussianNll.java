package io.bnn4j.bayes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Gaussian negative log-likelihood of regression targets under T stochastic forward passes.
 * Each pass t predicts, for every one of k targets, a mean m_t and a log-variance s_t (the output
 * row holds the k means, then the k log-variances); the data term of the ELBO is the expectation
 * over the posterior, estimated by the mean over the passes:
 * <pre>
 *   NLL = (1/T) Σ_t Σ_j ½ [log 2π + s_tj + (y_j − m_tj)² e^{−s_tj}]
 *   ∂NLL/∂m_tj = −(y_j − m_tj) e^{−s_tj} / T,   ∂NLL/∂s_tj = ½ (1 − (y_j − m_tj)² e^{−s_tj}) / T
 * </pre>
 * The log-variance is clamped to [{@link #MIN_LOG_VARIANCE}, {@link #MAX_LOG_VARIANCE}] (its
 * gradient is 0 outside), so that e^{−s} stays finite. With a fixed variance (a homoscedastic
 * model, {@code learnVariance} false) s is ignored: the loss is ½ (y − m)², its s-gradient 0.
 *
 * <p>Rows are sample-major: row t·stride + i holds pass t of example i, 2k floats.
 */
public final class GaussianNll {

    public static final double MIN_LOG_VARIANCE = -12, MAX_LOG_VARIANCE = 12;
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private GaussianNll() {}

    /** s clamped to the range where e^{±s} is finite in float arithmetic. */
    public static double clampLogVariance(double s) {
        return Math.max(MIN_LOG_VARIANCE, Math.min(MAX_LOG_VARIANCE, s));
    }

    /**
     * Σ of NLL_i over examples i in [i0, i1), writing {@code scale}·∂NLL_i/∂output into dOut
     * (same layout; null skips the gradients).
     *
     * @param targets y of example i, target j at targets[i·k + j]
     */
    public static double lossAndGrad(int k, int samples, int stride, int i0, int i1, float[] targets, boolean learnVariance,
                                     MemorySegment out, long off, float scale, MemorySegment dOut, long dOff) {
        double total = 0;
        int width = 2 * k;
        for (int i = i0; i < i1; i++) {
            double nll = 0;
            for (int t = 0; t < samples; t++) {
                long row = off + ((long) t * stride + i) * width;
                long dRow = dOff + ((long) t * stride + i) * width;
                for (int j = 0; j < k; j++) {
                    double y = targets[i * k + j];
                    double m = out.getAtIndex(F, row + j);
                    double r = y - m;
                    if (learnVariance) {
                        double raw = out.getAtIndex(F, row + k + j);
                        double s = clampLogVariance(raw);
                        double precision = Math.exp(-s);
                        nll += 0.5 * (LOG_2PI + s + r * r * precision);
                        if (dOut != null) {
                            dOut.setAtIndex(F, dRow + j, (float) (scale * -r * precision / samples));
                            double ds = raw == s ? 0.5 * (1 - r * r * precision) / samples : 0;
                            dOut.setAtIndex(F, dRow + k + j, (float) (scale * ds));
                        }
                    } else {
                        nll += 0.5 * r * r;
                        if (dOut != null) {
                            dOut.setAtIndex(F, dRow + j, (float) (scale * -r / samples));
                            dOut.setAtIndex(F, dRow + k + j, 0f);
                        }
                    }
                }
            }
            total += nll / samples;
        }
        return total;
    }
}
