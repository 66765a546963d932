package io.bnn4j.prune;

import io.bnn4j.Labelled;


/** How to choose what to remove (docs/PRUNING.md). */
public enum PruneMethod implements Labelled {
    /** Unstructured: weights with the lowest signal-to-noise ratio |μ|/σ (Bayesian models only). */
    SNR("snr"),
    /** Unstructured: weights with the lowest |μ|. */
    MAGNITUDE("magnitude"),
    /** Structured: whole conv filters / dense neurons with the lowest L1 norm of μ; the model shrinks. */
    L1_FILTER("l1-filter");

    private final String label;

    PruneMethod(String label) {
        this.label = label;
    }

    /** The name used on the command line and in JSON ("snr", "magnitude", "l1-filter"). */
    @Override
    public String label() {
        return label;
    }

    /** Whether this method masks single weights (rather than shrinking the model). */
    public boolean unstructured() {
        return this != L1_FILTER;
    }

    /** The method spelled {@code label} (case-insensitive); IllegalArgumentException naming the choices otherwise. */
    public static PruneMethod of(String label) {
        return Labelled.of(PruneMethod.class, label);
    }
}
