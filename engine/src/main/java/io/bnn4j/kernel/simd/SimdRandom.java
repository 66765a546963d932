package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.ScalarKernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: routes to the scalar reference until the Vector API version is written. */
final class SimdRandom {

    private static final ScalarKernels SCALAR = new ScalarKernels();

    private SimdRandom() {}

    static void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        SCALAR.fillGaussian(par, seed, stream, counter, len, dst, dstOff);
    }

    static void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        SCALAR.fillRademacher(par, seed, stream, counter, len, dst, dstOff);
    }
}
