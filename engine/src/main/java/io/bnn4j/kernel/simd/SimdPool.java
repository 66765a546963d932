package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.ScalarKernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: routes to the scalar reference until the Vector API version is written. */
final class SimdPool {

    private static final ScalarKernels SCALAR = new ScalarKernels();

    private SimdPool() {}

    static void forward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment argmax, long argOff) {
        SCALAR.maxPoolForward(g, x, xOff, y, yOff, argmax, argOff);
    }

    static void backward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff, MemorySegment dx, long dxOff) {
        SCALAR.maxPoolBackward(g, dy, dyOff, argmax, argOff, dx, dxOff);
    }
}
