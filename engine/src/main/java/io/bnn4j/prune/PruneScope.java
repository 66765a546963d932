package io.bnn4j.prune;

import io.bnn4j.Labelled;

/** Where one threshold applies in unstructured pruning. */
public enum PruneScope implements Labelled {
    /** One threshold over every weight of the network: layers lose different fractions. */
    GLOBAL("global"),
    /** The same fraction removed from every weight tensor (each layer its own threshold). */
    PER_LAYER("layer");

    private final String label;

    PruneScope(String label) {
        this.label = label;
    }

    /** The command-line spelling: "global" or "layer". */
    @Override
    public String label() {
        return label;
    }

    public static PruneScope of(String label) {
        return Labelled.of(PruneScope.class, label);
    }
}
