package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/**
 * A layer of a network: forward and backward side by side, over a run of examples.
 *
 * <p>Dimension letters: N examples in the run ({@code count}), C channels, H, W. Activations are
 * (N, C, H, W) row-major floats in (segment, offset) pairs, offsets in floats, pointing at the
 * run's first example. {@code first} is that example's index in the expanded batch (sample t
 * of image i is example t·batch + i): it picks the Monte-Carlo sample (for weight draws) and
 * the counters of the layer's noise, so results never depend on how a batch is split.
 *
 * <p>Per-workspace state (saved intermediates, noise) lives in the object returned by
 * {@link #buffers(Workspace)}; the layer itself is read-only during a pass, so a model's layers
 * serve many workspaces at once.
 */
abstract class Layer {

    final ImageShape in, out;
    final int inSize, outSize;
    /** Position in the model's layer list (set by the model). */
    int index;

    Layer(ImageShape in, ImageShape out) {
        this.in = in;
        this.out = out;
        this.inSize = in.size();
        this.outSize = out.size();
    }

    /** Whether the output is the input under another shape (no data, no work). */
    boolean aliasesInput() {
        return false;
    }

    /** This layer's per-workspace buffers, or null. */
    Object buffers(Workspace ws) {
        return null;
    }

    /** y = f(x) for examples [first, first + count). x: (count, in), y: (count, out). */
    abstract void forward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                          int first, int count);

    /**
     * Given dy = ∂L/∂y, writes dx = ∂L/∂x (skipped when dx is null) and the parameter
     * gradients of this run into {@code g}. x, y: as in forward; dy: (count, out); dx: (count, in).
     */
    abstract void backward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                           MemorySegment dy, long dyOff, MemorySegment dx, long dxOff, int first, int count, GradTarget g);
}
