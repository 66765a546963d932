package io.bnn4j.bayes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The negative log-likelihood of a label under T stochastic forward passes, from the log of
 * the mean of the T softmax outputs, stably:
 * <pre>
 *   ℓ_t = log softmax(z_t)[y],   NLL = −log( (1/T) Σ_t e^{ℓ_t} ) = log T − logsumexp_t ℓ_t
 *   ∂NLL/∂z_t,c = r_t · (softmax(z_t)_c − [c = y]),   r_t = e^{ℓ_t − logsumexp ℓ}  (Σ_t r_t = 1)
 * </pre>
 * With T = 1 this is the ordinary cross-entropy and r = 1.
 *
 * <p>Logits of an expanded batch are stored sample-major: row t·stride + i holds z_t of image i.
 */
public final class Nll {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Nll() {}

    /**
     * Σ of NLL_i over images i in [i0, i1), writing {@code scale}·∂NLL_i/∂z into dLogits (same
     * layout as logits; may be null to skip gradients) and adding to {@code correct[0]} the
     * number of images whose argmax of the mean softmax equals the label.
     *
     * @param logits  rows t·stride + i, each of {@code classes} floats, from {@code off}
     * @param labels  label of image i at labels[i]
     * @param scratch at least 2·T·classes + T doubles, reused (no allocation)
     */
    public static double lossAndGrad(int classes, int samples, int stride, int i0, int i1, int[] labels,
                                     MemorySegment logits, long off, float scale,
                                     MemorySegment dLogits, long dOff, double[] scratch, long[] correct) {
        int probs = 0, logps = samples * classes, ell = 2 * samples * classes;
        double total = 0;
        for (int i = i0; i < i1; i++) {
            int y = labels[i];
            if (y < 0 || y >= classes) throw new IllegalArgumentException("label " + y + " of image " + i + " outside 0.." + (classes - 1));
            double maxEll = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < samples; t++) {
                long row = off + ((long) t * stride + i) * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits.getAtIndex(F, row + c));
                double z = 0;
                for (int c = 0; c < classes; c++) z += Math.exp(logits.getAtIndex(F, row + c) - max);
                double logZ = max + Math.log(z);
                for (int c = 0; c < classes; c++) {
                    double lp = logits.getAtIndex(F, row + c) - logZ;
                    scratch[logps + t * classes + c] = lp;
                    scratch[probs + t * classes + c] = Math.exp(lp);
                }
                scratch[ell + t] = scratch[logps + t * classes + y];
                maxEll = Math.max(maxEll, scratch[ell + t]);
            }
            double sum = 0;
            for (int t = 0; t < samples; t++) sum += Math.exp(scratch[ell + t] - maxEll);
            double lse = maxEll + Math.log(sum);
            total += Math.log(samples) - lse;
            // prediction: argmax of the mean softmax
            int best = 0;
            double bestP = -1;
            for (int c = 0; c < classes; c++) {
                double p = 0;
                for (int t = 0; t < samples; t++) p += scratch[probs + t * classes + c];
                if (p > bestP) { bestP = p; best = c; }
            }
            if (best == y) correct[0]++;
            if (dLogits != null) {
                for (int t = 0; t < samples; t++) {
                    double r = Math.exp(scratch[ell + t] - lse);
                    long row = dOff + ((long) t * stride + i) * classes;
                    for (int c = 0; c < classes; c++) {
                        double g = scratch[probs + t * classes + c] - (c == y ? 1.0 : 0.0);
                        dLogits.setAtIndex(F, row + c, (float) (scale * r * g));
                    }
                }
            }
        }
        return total;
    }

    /** Scratch doubles needed by {@link #lossAndGrad}. */
    public static int scratchSize(int classes, int samples) {
        return 2 * samples * classes + samples;
    }
}
