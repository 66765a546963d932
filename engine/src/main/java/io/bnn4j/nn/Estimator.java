package io.bnn4j.nn;

/**
 * How a layer turns its posterior N(μ, σ²) into outputs (see docs/TRAINING.md).
 * <ul>
 *   <li>{@link #LRT}: local reparameterization: a_μ = lin(x, μ_W) + μ_b, a_var = lin(x², σ_W²) +
 *       σ_b² + 1e-16, y = a_μ + sqrt(a_var)·ε with ε per example and output element.</li>
 *   <li>{@link #BBB}: weight sampling: W = μ + σ·ε_W, one draw per forward pass shared by the
 *       minibatch (one per Monte-Carlo sample in prediction).</li>
 *   <li>{@link #NONE}: the ordinary deterministic layer (weights μ, no ρ, no KL).</li>
 * </ul>
 */
public enum Estimator {
    LRT, BBB, NONE;

    public boolean bayesian() {
        return this != NONE;
    }
}
