package io.bnn4j.nn;

import io.bnn4j.Labelled;

import java.util.Locale;

/**
 * How a layer turns its posterior N(μ, σ²) into outputs (see docs/TRAINING.md).
 * <ul>
 *   <li>{@link #LRT}: local reparameterization: a_μ = lin(x, μ_W) + μ_b, a_var = lin(x², σ_W²) +
 *       σ_b² + 1e-16, y = a_μ + sqrt(a_var)·ε with ε per example and output element.</li>
 *   <li>{@link #BBB}: weight sampling: W = μ + σ·ε_W, one draw per forward pass shared by the
 *       minibatch (one per Monte-Carlo sample in prediction).</li>
 *   <li>{@link #FLIPOUT}: Flipout (Wen et al. 2018): one weight perturbation ΔW = σ·ε_W per pass,
 *       decorrelated per example by random signs: y = lin(x, μ_W) + μ_b + s_out·(lin(x·s_in, ΔW) + Δb),
 *       s_in and s_out ±1 per example and element.</li>
 *   <li>{@link #NONE}: the ordinary deterministic layer (weights μ, no ρ, no KL).</li>
 *   <li>{@link #DROPOUT}: MC dropout (Gal and Ghahramani 2016), the frequentist baseline: the
 *       ordinary layer whose input (except the first layer's) is dropped with the model's rate
 *       in training and in sampled prediction, inverted scaling 1/(1 − rate); no ρ, no KL.</li>
 * </ul>
 */
public enum Estimator implements Labelled {
    LRT, BBB, NONE, FLIPOUT, DROPOUT;

    @Override
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant spelled {@code label} ("lrt"); IllegalArgumentException naming the choices otherwise. */
    public static Estimator of(String label) {
        return Labelled.of(Estimator.class, label);
    }

    /** Whether the pass draws whole weight perturbations (BBB, Flipout) rather than output noise. */
    public boolean drawsWeights() {
        return this == BBB || this == FLIPOUT;
    }

    /** Whether the weights have a posterior N(μ, σ²) (ρ, KL). */
    public boolean bayesian() {
        return this != NONE && this != DROPOUT;
    }

    /** Whether sampled passes differ: every Bayesian estimator, and MC dropout. */
    public boolean stochastic() {
        return this != NONE;
    }
}
