package io.bnn4j.bayes;

import io.bnn4j.Labelled;

import java.util.Locale;

/**
 * Which Gaussian KL the loss uses.
 * <ul>
 *   <li>{@link #STANDARD}: KL(q‖p) = Σ [log(σ_p/σ) + (σ² + (μ − μ_p)²)/(2σ_p²) − ½], the ELBO's.</li>
 *   <li>{@link #REVERSE}: KL(p‖q) = Σ [log(σ/σ_p) + (σ_p² + (μ_p − μ)²)/(2σ²) − ½], what the
 *       reference implementation computes (prior and posterior swapped); for reproduction only.</li>
 * </ul>
 */
public enum KlKind implements Labelled {
    STANDARD, REVERSE;

    @Override
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant spelled {@code label} ("standard"); IllegalArgumentException naming the choices otherwise. */
    public static KlKind of(String label) {
        return Labelled.of(KlKind.class, label);
    }
}
