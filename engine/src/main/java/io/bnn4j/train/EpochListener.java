package io.bnn4j.train;

/** Receives each epoch's figures as soon as the epoch ends. */
@FunctionalInterface
public interface EpochListener {
    void onEpoch(EpochStats stats);
}
