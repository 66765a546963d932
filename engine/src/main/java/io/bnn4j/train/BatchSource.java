package io.bnn4j.train;

import java.lang.foreign.MemorySegment;

/**
 * Labelled images for training and evaluation, already at the model's input shape.
 * An adapter over {@code io.bnn4j.data.Dataset} implements it; tests use synthetic sets.
 */
public interface BatchSource {

    /** Number of examples. */
    int size();

    int channels();

    int height();

    int width();

    /** The class of example i, in 0 .. classes − 1. */
    int label(int i);

    /** Whether {@link #label} may be called (training and accuracy need labels; OOD scoring does not). */
    default boolean hasLabels() {
        return true;
    }

    /**
     * Writes examples indices[from], …, indices[from + count − 1] as (count, C, H, W) floats
     * (scaled to [0, 1]) into dst from float offset dstOff. Called by one thread at a time.
     */
    void writeBatch(int[] indices, int from, int count, MemorySegment dst, long dstOff);
}
