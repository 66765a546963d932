package io.bnn4j.train;

import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * MOPED (Krishnan et al. 2020): a Bayesian model's posterior set from a trained frequentist
 * twin: μ = w, σ = max(δ·|w|, floor), so ρ = softplus⁻¹(σ) = log(expm1(σ)).
 */
public final class Moped {

    private Moped() {}

    /** The frequentist twin of a Bayesian spec: same layers and widths, estimator NONE. */
    public static ModelSpec twinSpec(ModelSpec bayesian) {
        return bayesian.withEstimator(Estimator.NONE);
    }

    /**
     * Writes μ and ρ of {@code target} (Bayesian) from the means of {@code source} (any model of
     * the same layers, usually frequentist). Masks of the source carry over as masks of the target.
     */
    public static void initialize(Model source, Model target, double delta) {
        if (!target.bayesian()) throw new IllegalArgumentException("MOPED needs a Bayesian target model (lrt, bbb or flipout)");
        if (!(delta > 0 && delta <= 1)) throw new IllegalArgumentException("MOPED delta must be in (0, 1], got " + delta);
        var sp = source.parameters();
        var tp = target.parameters();
        if (sp.size() != tp.size()) throw new IllegalArgumentException("models differ: " + sp.size() + " vs " + tp.size() + " parameter tensors");
        for (int i = 0; i < sp.size(); i++) {
            if (!Arrays.equals(sp.get(i).shape(), tp.get(i).shape())) {
                throw new IllegalArgumentException("models differ at " + tp.get(i).name() + ": " + Arrays.toString(sp.get(i).shape())
                        + " vs " + Arrays.toString(tp.get(i).shape()));
            }
        }
        float[] w = source.allMu().toArray();
        float[] rho = new float[w.length];
        for (int i = 0; i < w.length; i++) rho[i] = (float) inverseSoftplus(Math.max(delta * Math.abs(w[i]), Init.Moped.SIGMA_FLOOR));
        target.allMu().copyFrom(w);
        target.allRho().copyFrom(rho);
        for (int i = 0; i < sp.size(); i++) {
            Tensor mask = sp.get(i).mask();
            if (mask != null) tp.get(i).setMask(mask.toArray());
        }
        target.parametersChanged();
    }

    /** ρ with softplus(ρ) = σ, stable for small σ (log(expm1(σ)) ≈ log σ). */
    static double inverseSoftplus(double sigma) {
        return sigma > 20 ? sigma : Math.log(Math.expm1(sigma));
    }
}
