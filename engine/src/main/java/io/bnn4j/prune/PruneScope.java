package io.bnn4j.prune;

/** Where one threshold applies in unstructured pruning. */
public enum PruneScope {
    /** One threshold over every weight of the network: layers lose different fractions. */
    GLOBAL,
    /** The same fraction removed from every weight tensor (each layer its own threshold). */
    PER_LAYER
}
