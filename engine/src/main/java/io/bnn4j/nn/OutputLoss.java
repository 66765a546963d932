package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/**
 * The data term of a training step: from the network's outputs for examples [i0, i1) of a batch
 * (T passes, sample-major rows t·stride + i) to their summed loss, writing {@code scale} times
 * its gradient into dOut. Implementations hold the batch's targets, which the caller fills
 * before each step. {@link Backprop} uses the classification NLL when it is given none.
 */
public interface OutputLoss {

    /**
     * @param chunk the gradient chunk calling (chunks run in parallel: per-chunk scratch)
     * @param correct where a classification loss adds its correct predictions (else untouched)
     */
    double lossAndGrad(int chunk, int samples, int stride, int i0, int i1, MemorySegment out, long off, float scale,
                       MemorySegment dOut, long dOff, long[] correct);
}
