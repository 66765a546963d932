package io.bnn4j.uncertainty;

import io.bnn4j.Labelled;

import java.util.Locale;

/**
 * How one sample's row of C network outputs becomes a probability vector p̂_t.
 *
 * <ul>
 *   <li>{@link #SOFTMAX}: p̂_c = exp(z_c) / Σ_k exp(z_k), computed stably (the row's max is
 *       subtracted first), in double precision.</li>
 *   <li>{@link #SOFTPLUS}: p̂_c = softplus(z_c) / Σ_k softplus(z_k), softplus(z) = log(1 + e^z)
 *       (Shridhar et al. 2018, "Uncertainty estimations by softplus normalization in Bayesian
 *       convolutional neural networks with variational inference"). softplus(z) =
 *       max(z, 0) + log1p(exp(−|z|)) keeps it exact for large |z|. When every softplus of a row
 *       underflows to 0 (all logits below about −745), softplus(z) ≈ e^z there, so the row
 *       falls back to softmax, which is the exact limit.</li>
 *   <li>{@link #PROBABILITIES}: the row already holds probabilities; it is only divided by its
 *       sum (absorbing float rounding). Entries must be finite and ≥ 0 with a positive sum.</li>
 * </ul>
 */
public enum Normalization implements Labelled {
    SOFTMAX, SOFTPLUS, PROBABILITIES;

    @Override
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant spelled {@code label} ("softmax", "softplus", "probabilities"), case-insensitive. */
    public static Normalization of(String label) {
        return Labelled.of(Normalization.class, label);
    }
}
