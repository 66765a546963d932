package io.bnn4j.prune;

import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;
import io.bnn4j.tensor.Tensor;

/**
 * Helpers around a model's pruning masks ({@link Parameter#setMask}).
 *
 * <p>Canonical zeros: applying a mask multiplies μ by 0, which leaves −0.0 where μ was negative,
 * and ρ keeps its trained value (σ is masked instead). A model file's sparse encodings drop only
 * elements whose bits are all zero (docs/FORMAT.md), so {@link #canonicalize} rewrites μ and ρ of
 * every removed element as +0.0: the file then stores a pruned tensor compactly, and ρ = 0 there
 * is a placeholder (σ stays 0 through the mask whatever ρ holds). Adam with the zero gradients and
 * zero moments of a masked element leaves +0.0 in place (0 − 0 = +0), so fine-tuning keeps them.
 */
public final class Masks {

    private Masks() {}

    /** Writes +0.0 into μ and ρ wherever a mask is 0, then refreshes the model's derived values. */
    public static void canonicalize(Model model) {
        boolean any = false;
        for (Parameter p : model.parameters()) {
            Tensor mask = p.mask();
            if (mask == null) continue;
            any = true;
            float[] m = mask.toArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0f) {
                    p.mu().setFlat(i, 0f);
                    if (p.rho() != null) p.rho().setFlat(i, 0f);
                }
            }
        }
        if (any) model.parametersChanged();
    }

    /**
     * Removed elements whose μ is not 0 (±0.0 both count as 0), or whose σ (the model's derived
     * softplus(ρ)·mask) is not exactly 0: 0 for a healthy pruned model.
     */
    public static long violations(Model model) {
        Tensor sigma = model.allSigma();
        long bad = 0;
        for (Parameter p : model.parameters()) {
            Tensor mask = p.mask();
            if (mask == null) continue;
            float[] m = mask.toArray(), mu = p.mu().toArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] != 0f) continue;
                if (mu[i] != 0f) bad++;
                else if (sigma != null && sigma.getFlat(p.offset() + i) != 0f) bad++;
            }
        }
        return bad;
    }

    /** Removed elements whose μ or ρ is not +0.0 bit for bit (what {@link #canonicalize} fixes). */
    public static long nonCanonicalZeros(Model model) {
        long bad = 0;
        for (Parameter p : model.parameters()) {
            Tensor mask = p.mask();
            if (mask == null) continue;
            float[] m = mask.toArray(), mu = p.mu().toArray(), rho = p.rho() == null ? null : p.rho().toArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0f && (Float.floatToRawIntBits(mu[i]) != 0 || (rho != null && Float.floatToRawIntBits(rho[i]) != 0))) bad++;
            }
        }
        return bad;
    }

    /** Conv and dense weight elements (biases excluded): the denominator of "sparsity". */
    public static long weightCount(Model model) {
        long n = 0;
        for (Parameter p : model.parameters()) if (!p.isBias()) n += p.size();
        return n;
    }

    /** Weight elements removed by a mask (biases excluded). */
    public static long removedWeights(Model model) {
        long n = 0;
        for (Parameter p : model.parameters()) if (!p.isBias()) n += p.size() - p.activeCount();
        return n;
    }

    /** removedWeights / weightCount. */
    public static double weightSparsity(Model model) {
        long w = weightCount(model);
        return w == 0 ? 0 : (double) removedWeights(model) / w;
    }
}
