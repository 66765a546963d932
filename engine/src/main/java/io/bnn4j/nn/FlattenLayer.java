package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/** (N, C, H, W) → (N, C·H·W): the same memory under another shape; no work either way. */
final class FlattenLayer extends Layer {

    FlattenLayer(ImageShape in, ImageShape out) {
        super(in, out);
        if (in.size() != out.size()) throw new IllegalArgumentException("flatten changes the size: " + in + " -> " + out);
    }

    @Override
    boolean aliasesInput() {
        return true;
    }

    @Override
    void forward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff, int first, int count) {
        if (x != y || xOff != yOff) {   // only when a caller gives distinct buffers (tests)
            MemorySegment.copy(x, xOff * Float.BYTES, y, yOff * Float.BYTES, (long) count * inSize * Float.BYTES);
        }
    }

    @Override
    void backward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                  MemorySegment dy, long dyOff, MemorySegment dx, long dxOff, int first, int count, GradTarget g) {
        if (dx != null && (dx != dy || dxOff != dyOff)) {
            MemorySegment.copy(dy, dyOff * Float.BYTES, dx, dxOff * Float.BYTES, (long) count * inSize * Float.BYTES);
        }
    }
}
