package io.bnn4j.kernel.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * GEMM for a few rows of A (m ≤ {@link #MAX_M}, A not transposed): the dense layers' forward
 * (x·Wᵀ) and backward-data (g·W) on a small batch, e.g. one image × T samples, or a training
 * chunk. The packed path would repack the whole weight matrix B on every call, which for a
 * handful of rows costs more than the products (measured: GemmCore.packB was a third of a
 * 10-sample LeNet prediction). Here B is read in place from its segment:
 * <ul>
 *   <li>B transposed (stored n × k): C[i][j] = dot(A_i, B_j), four rows of B at a time, vectors
 *       along k, lanes summed in a fixed order;</li>
 *   <li>B plain (stored k × n): C_i = Σ_p A[i][p]·B_p, vectors along n.</li>
 * </ul>
 * Every element is computed the same way whatever the thread count (single-threaded: the
 * problems are small), so results are reproducible; they differ in rounding from the packed
 * path, which is chosen by shape only.
 */
final class SmallGemm {

    /** Rows of A up to which this path is used. */
    static final int MAX_M = 16;

    private static final VectorSpecies<Float> S = GemmCore.S;
    private static final int L = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private SmallGemm() {}

    static boolean applies(boolean transA, int m) {
        return !transA && m <= MAX_M;
    }

    static void gemm(boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                     MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        if (transB) dotRows(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        else axpyRows(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER);
    }

    private static float get(MemorySegment s, long index) {
        return s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, index);
    }

    private static void set(MemorySegment s, long index, float v) {
        s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, index, v);
    }

    private static void put(MemorySegment c, long idx, float alpha, float acc, float beta) {
        set(c, idx, beta == 0f ? alpha * acc : alpha * acc + beta * get(c, idx));
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /**
     * The lanes of v summed one by one in lane order (the same bits in every JIT tier; not
     * reduceLanes, whose order C2 chooses). Through a per-thread array: lane(i) with a variable
     * index allocates.
     */
    private static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int i = 0; i < L; i++) s += lanes[i];
        return s;
    }

    // C (m × n) = alpha · A (m × k) · Bᵀ, B stored n × k.
    private static void dotRows(int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                                MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        int kb = S.loopBound(k);
        float[] lanes = LANES.get();
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            long b0 = bOff + (long) j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < kb; p += L) {
                    FloatVector av = load(a, ai + p);
                    s0 = av.fma(load(b, b0 + p), s0);
                    s1 = av.fma(load(b, b1 + p), s1);
                    s2 = av.fma(load(b, b2 + p), s2);
                    s3 = av.fma(load(b, b3 + p), s3);
                }
                float t0 = sumLanes(s0, lanes), t1 = sumLanes(s1, lanes), t2 = sumLanes(s2, lanes), t3 = sumLanes(s3, lanes);
                for (int p = kb; p < k; p++) {
                    float x = get(a, ai + p);
                    t0 += x * get(b, b0 + p);
                    t1 += x * get(b, b1 + p);
                    t2 += x * get(b, b2 + p);
                    t3 += x * get(b, b3 + p);
                }
                long ci = cOff + (long) i * ldc + j;
                put(c, ci, alpha, t0, beta);
                put(c, ci + 1, alpha, t1, beta);
                put(c, ci + 2, alpha, t2, beta);
                put(c, ci + 3, alpha, t3, beta);
            }
        }
        for (; j < n; j++) {
            long bj = bOff + (long) j * ldb;
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < kb; p += L) s0 = load(a, ai + p).fma(load(b, bj + p), s0);
                float t = sumLanes(s0, lanes);
                for (int p = kb; p < k; p++) t += get(a, ai + p) * get(b, bj + p);
                put(c, cOff + (long) i * ldc + j, alpha, t, beta);
            }
        }
    }

    /** Columns of C per block in the plain-B case: four vectors of accumulators. */
    private static final int NB = 4 * L;

    // C (m × n) = alpha · A (m × k) · B, B stored k × n.
    private static void axpyRows(int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                                 MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        int j = 0;
        for (; j + NB <= n; j += NB) {
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < k; p++) {
                    FloatVector x = FloatVector.broadcast(S, get(a, ai + p));
                    long bp = bOff + (long) p * ldb + j;
                    s0 = x.fma(load(b, bp), s0);
                    s1 = x.fma(load(b, bp + L), s1);
                    s2 = x.fma(load(b, bp + 2 * L), s2);
                    s3 = x.fma(load(b, bp + 3 * L), s3);
                }
                long ci = cOff + (long) i * ldc + j;
                store(c, ci, s0, alpha, beta);
                store(c, ci + L, s1, alpha, beta);
                store(c, ci + 2 * L, s2, alpha, beta);
                store(c, ci + 3 * L, s3, alpha, beta);
            }
        }
        for (; j + L <= n; j += L) {
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < k; p++) {
                    s0 = FloatVector.broadcast(S, get(a, ai + p)).fma(load(b, bOff + (long) p * ldb + j), s0);
                }
                store(c, cOff + (long) i * ldc + j, s0, alpha, beta);
            }
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                float t = 0f;
                for (int p = 0; p < k; p++) t = Math.fma(get(a, ai + p), get(b, bOff + (long) p * ldb + j), t);
                put(c, cOff + (long) i * ldc + j, alpha, t, beta);
            }
        }
    }

    private static void store(MemorySegment c, long idx, FloatVector acc, float alpha, float beta) {
        FloatVector r = acc.mul(alpha);
        if (beta != 0f) r = r.add(load(c, idx).mul(beta));
        r.intoMemorySegment(c, idx * Float.BYTES, ORDER);
    }
}
