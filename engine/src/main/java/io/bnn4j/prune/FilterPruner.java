package io.bnn4j.prune;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import io.bnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Structured pruning by the L1 norm of filters (Li et al. 2017, "Pruning filters for efficient
 * ConvNets"), for Bayesian and ordinary models: the result is a NEW, smaller dense model
 * ({@link ModelSpec#withWidths}) that really computes less.
 *
 * <h2>What goes</h2>
 * In every hidden conv and dense layer (all but the classifier, which keeps all its outputs),
 * the units — conv filters (C_in, k, k) or dense neurons (one weight row) — are ranked by
 * Σ|μ| of their weights (bias excluded; masked weights count 0), ties by index, and the lowest
 * {@code round(fraction · width)} go, at most width − 1 (a layer keeps ≥ 1 unit). So
 * {@code --sparsity F} for l1-filter is the fraction of units removed from EACH hidden layer;
 * the fraction of parameters removed is larger, about 1 − (1 − F)² for layers whose inputs
 * shrink too.
 *
 * <h2>The copy</h2>
 * The smaller model gets the surviving rows of μ, ρ and any mask, and, for the next layer, the
 * matching input slice: conv → conv the kept input channels (blocks of k·k), the last conv →
 * the first dense through flatten the kept channels' blocks of H·W features (flatten orders
 * features C·H·W, so channel c is features [c·H·W, (c+1)·H·W)), dense → dense the kept columns.
 *
 * <h2>Equivalence with masking</h2>
 * Removing a unit is made exactly equivalent (in the mean, and in distribution for LRT and BBB
 * samples) to masking it — μ = 0, σ = 0 for its weights AND its bias: such a unit's
 * pre-activation is 0, so it outputs the constant a = act(0) (softplus: ln 2, ReLU: 0), max
 * pooling keeps it, and the next layer's unit o receives a·Σ_b W[o, c, b] from it. That term is
 * folded into o's bias: μ_b += a·Σ_b μ_W[o, c, b] and σ_b² += a²·Σ_b σ_W[o, c, b]² (a Gaussian
 * sum: the same mean and variance; ρ_b = softplus⁻¹(σ_b)). This is exact where every output
 * position of the next layer sees all its k·k taps: dense layers and unpadded convolutions
 * (all of LeNet-5). For padded convolutions (3conv3fc, alexnet) the taps that fall on padding
 * see 0, not a, so the fold is exact away from the border and approximate on it (exact for ReLU,
 * where a = 0). Without the fold a softplus net would shift every next-layer unit by
 * a·Σ μ_W — a real accuracy loss that fine-tuning would have to repair.
 * A masked bias that receives a nonzero fold is unmasked (the fold makes it carry a value).
 */
public final class FilterPruner {

    private FilterPruner() {}

    /** One conv or dense layer's (weight, bias) in flat order. */
    private record Unit(Parameter weight, Parameter bias) {
        int width() { return weight.shape()[0]; }
        int rowLength() { return weight.size() / width(); }
    }

    private static List<Unit> units(Model model) {
        List<Unit> u = new ArrayList<>();
        List<Parameter> ps = model.parameters();
        for (int i = 0; i < ps.size(); i += 2) u.add(new Unit(ps.get(i), ps.get(i + 1)));
        return u;
    }

    /**
     * Per hidden layer (conv/dense except the classifier, in order), the indices of the units
     * that stay, ascending.
     *
     * @param fraction fraction of units removed per hidden layer, in [0, 1]
     */
    public static int[][] keptUnits(Model model, double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("sparsity must be in [0, 1], got " + fraction);
        List<Unit> us = units(model);
        int[][] kept = new int[us.size() - 1][];
        for (int l = 0; l < us.size() - 1; l++) {
            Unit u = us.get(l);
            int width = u.width(), row = u.rowLength();
            float[] mu = u.weight.mu().toArray();
            long[] keys = new long[width];
            for (int o = 0; o < width; o++) {
                double l1 = 0;
                for (int j = 0; j < row; j++) l1 += Math.abs(mu[o * row + j]);
                // non-negative floats order like their bits: sorting (bits << 32 | o) sorts by (L1, index)
                keys[o] = (long) Float.floatToIntBits((float) l1) << 32 | o;
            }
            Arrays.sort(keys);
            int remove = (int) Math.min(width - 1, Math.round(fraction * width));
            int[] k = new int[width - remove];
            for (int j = remove; j < width; j++) k[j - remove] = (int) keys[j];
            Arrays.sort(k);
            kept[l] = k;
        }
        return kept;
    }

    /** {@code shrink(model, keptUnits(model, fraction))}. */
    public static Model shrink(Model model, double fraction) {
        return shrink(model, keptUnits(model, fraction));
    }

    /**
     * A new model holding only the {@code kept} units of each hidden layer (the classifier
     * whole), with the removed units' constant outputs folded into the next layer's biases (see
     * the class doc). The source model is unchanged; the caller closes both.
     */
    public static Model shrink(Model model, int[][] kept) {
        ModelSpec spec = model.spec();
        if (spec == null) throw new IllegalArgumentException("only models built from a ModelSpec can be shrunk");
        List<Unit> old = units(model);
        if (kept.length != old.size() - 1) throw new IllegalArgumentException("kept units for " + kept.length + " layers, the model has " + (old.size() - 1) + " hidden layers");
        int[] widths = new int[kept.length];
        for (int l = 0; l < kept.length; l++) {
            widths[l] = kept[l].length;
            checkIndices(kept[l], old.get(l).width(), old.get(l).weight.name());
        }
        float a = activationAtZero(model);
        Model small = Model.allocate(spec.withWidths(widths));
        try {
            List<Unit> neu = units(small);
            for (int l = 0; l < old.size(); l++) {
                Unit src = old.get(l), dst = neu.get(l);
                int[] outKept = l < kept.length ? kept[l] : identity(src.width());
                int inOld = l == 0 ? spec.inChannels() : old.get(l - 1).width();
                int[] inKept = l == 0 ? identity(inOld) : kept[l - 1];
                int block = src.rowLength() / inOld;   // k·k (conv), H·W (dense after flatten) or 1 (dense after dense)
                copyUnit(src, dst, outKept, inKept, inOld, block, a, small.bayesian());
            }
            small.parametersChanged();
            Masks.canonicalize(small);
            return small;
        } catch (RuntimeException e) {
            small.close();
            throw e;
        }
    }

    private static void copyUnit(Unit src, Unit dst, int[] outKept, int[] inKept, int inOld, int block, float a, boolean bayes) {
        int rowOld = inOld * block, rowNew = inKept.length * block;
        boolean[] inStays = new boolean[inOld];
        for (int c : inKept) inStays[c] = true;
        float[] wMu = src.weight.mu().toArray(), bMu = src.bias.mu().toArray();
        float[] wRho = bayes ? src.weight.rho().toArray() : null, bRho = bayes ? src.bias.rho().toArray() : null;
        float[] wMask = src.weight.mask() == null ? null : src.weight.mask().toArray();
        float[] bMask = src.bias.mask() == null ? null : src.bias.mask().toArray();
        int out = outKept.length;
        float[] nwMu = new float[out * rowNew], nbMu = new float[out];
        float[] nwRho = bayes ? new float[out * rowNew] : null, nbRho = bayes ? new float[out] : null;
        float[] nwMask = wMask == null ? null : new float[out * rowNew];
        float[] nbMask = bMask == null ? null : new float[out];
        for (int oi = 0; oi < out; oi++) {
            int o = outKept[oi];
            for (int ci = 0; ci < inKept.length; ci++) {
                int from = o * rowOld + inKept[ci] * block, to = oi * rowNew + ci * block;
                System.arraycopy(wMu, from, nwMu, to, block);
                if (bayes) System.arraycopy(wRho, from, nwRho, to, block);
                if (wMask != null) System.arraycopy(wMask, from, nwMask, to, block);
            }
            // fold the removed inputs' constant a into the bias (class doc); μ of masked weights is 0 already
            double meanShift = 0, varShift = 0;
            if (a != 0f) {
                for (int c = 0; c < inOld; c++) {
                    if (inStays[c]) continue;
                    for (int b = 0; b < block; b++) {
                        int j = o * rowOld + c * block + b;
                        meanShift += (double) a * wMu[j];
                        if (bayes && (wMask == null || wMask[j] != 0f)) {
                            double s = WeightPruner.softplus(wRho[j]);
                            varShift += (double) a * a * s * s;
                        }
                    }
                }
            }
            boolean biasMasked = bMask != null && bMask[o] == 0f;
            boolean folded = meanShift != 0 || varShift != 0;
            nbMu[oi] = (float) ((biasMasked ? 0 : bMu[o]) + meanShift);
            if (bayes) {
                double sigma = biasMasked ? 0 : WeightPruner.softplus(bRho[o]);
                nbRho[oi] = varShift == 0 ? (biasMasked ? 0f : bRho[o]) : (float) inverseSoftplus(Math.sqrt(sigma * sigma + varShift));
            }
            if (nbMask != null) nbMask[oi] = biasMasked && !folded ? 0f : 1f;
        }
        dst.weight.mu().copyFrom(nwMu);
        dst.bias.mu().copyFrom(nbMu);
        if (bayes) {
            dst.weight.rho().copyFrom(nwRho);
            dst.bias.rho().copyFrom(nbRho);
        }
        if (nwMask != null) dst.weight.setMask(nwMask);
        if (nbMask != null) dst.bias.setMask(nbMask);
    }

    /** softplus⁻¹(σ) = log(expm1(σ)), stably: σ for σ > 20. */
    static double inverseSoftplus(double sigma) {
        return sigma > 20 ? sigma : Math.log(Math.expm1(sigma));
    }

    /** act(0) as the model's own kernels compute it (so masked and shrunk models agree to the bit there). */
    static float activationAtZero(Model model) {
        try (Tensor t = Tensor.zeros(64)) {
            Kernels.instance().unary(model.activation().op(), 64, t.segment(), t.offset(), t.segment(), t.offset());
            float[] v = t.toArray();
            for (float x : v) {
                if (Float.floatToRawIntBits(x) != Float.floatToRawIntBits(v[0])) {
                    throw new IllegalStateException("the activation kernel gives different values for 0 in different lanes");
                }
            }
            return v[0];
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static void checkIndices(int[] k, int width, String name) {
        if (k.length < 1) throw new IllegalArgumentException(name + ": keeps no unit");
        for (int i = 0; i < k.length; i++) {
            if (k[i] < 0 || k[i] >= width || (i > 0 && k[i] <= k[i - 1])) {
                throw new IllegalArgumentException(name + ": kept units must be ascending indices in 0.." + (width - 1) + ", got " + Arrays.toString(k));
            }
        }
    }
}
