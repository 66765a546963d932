package io.bnn4j.kernel.simd;

import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/**
 * GEMM on the Vector API: C = alpha·op(A)·op(B) + beta·C through {@link GemmCore} (packed
 * panels in per-thread heap scratch, 6 × 16 FMA microkernel).
 *
 * <p>Threads: below {@link #PARALLEL_FLOPS} the call runs on the caller (waking the pool costs
 * more than it saves). Above, the output is cut along its longer side into whole-panel column
 * or row strips, one per thread, claimed dynamically; each strip packs what it needs, so a
 * column strip repacks all of A: with two strips per thread 512³ scaled 1.82× on two threads,
 * with one 1.94× (docs/PERFORMANCE.md).
 * Strips never split the reduction, and {@link GemmCore} computes every element the same way
 * in any strip, so the result is bit-identical for any thread count.
 */
final class SimdGemm {

    /** 2·m·n·k below which one thread is faster than waking the pool (about 100 µs of work). */
    static final double PARALLEL_FLOPS = 8e6;

    private SimdGemm() {}

    static void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     float beta, MemorySegment c, long cOff, int ldc) {
        if (SmallGemm.applies(transA, m)) {
            SmallGemm.gemm(transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        GemmCore.APacker ap = new GemmCore.MatrixA(a, aOff, lda, transA);
        GemmCore.BPacker bp = new GemmCore.MatrixB(b, bOff, ldb, transB);
        run(par, m, n, k, alpha, ap, bp, beta, c, cOff, ldc);
    }

    /** The parallel driver over any packers (also used by convolution for whole-batch GEMMs). */
    static void run(Parallel par, int m, int n, int k, float alpha, GemmCore.APacker ap, GemmCore.BPacker bp,
                    float beta, MemorySegment c, long cOff, int ldc) {
        int threads = par == null ? 1 : par.threads();
        double flops = 2.0 * m * n * k;
        if (threads == 1 || flops < PARALLEL_FLOPS) {
            GemmCore.run(0, m, 0, n, k, alpha, ap, bp, beta, c, cOff, ldc, GemmCore.scratch());
            return;
        }
        int parts = threads;
        if (n >= m) {
            int strip = roundUp(ceilDiv(n, parts), GemmCore.NR);
            par.forBlocks(n, strip, (blk, from, to) ->
                    GemmCore.run(0, m, from, to, k, alpha, ap, bp, beta, c, cOff, ldc, GemmCore.scratch()));
        } else {
            int strip = roundUp(ceilDiv(m, parts), GemmCore.MR);
            par.forBlocks(m, strip, (blk, from, to) ->
                    GemmCore.run(from, to, 0, n, k, alpha, ap, bp, beta, c, cOff, ldc, GemmCore.scratch()));
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int b) {
        return ceilDiv(a, b) * b;
    }
}
