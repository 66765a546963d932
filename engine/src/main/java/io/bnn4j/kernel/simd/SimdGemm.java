package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.ScalarKernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: routes to the scalar reference until the Vector API version is written. */
final class SimdGemm {

    private static final ScalarKernels SCALAR = new ScalarKernels();

    private SimdGemm() {}

    static void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        SCALAR.gemm(par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
