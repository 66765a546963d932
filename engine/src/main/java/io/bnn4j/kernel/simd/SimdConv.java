package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.ScalarKernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: routes to the scalar reference until the Vector API version is written. */
final class SimdConv {

    private static final ScalarKernels SCALAR = new ScalarKernels();

    private SimdConv() {}

    static void forward(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment y, long yOff) {
        SCALAR.conv2dForward(par, g, x, xOff, w, wOff, y, yOff);
    }

    static void backwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff, MemorySegment dx, long dxOff) {
        SCALAR.conv2dBackwardData(par, g, dy, dyOff, w, wOff, dx, dxOff);
    }

    static void backwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff, MemorySegment dw, long dwOff) {
        SCALAR.conv2dBackwardWeights(par, g, x, xOff, dy, dyOff, dw, dwOff);
    }
}
