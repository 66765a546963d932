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

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);

    /**
     * The L floats at lanes[from …] summed one by one in lane order (the same bits in every JIT
     * tier; not reduceLanes, whose order C2 chooses). The caller stores its vector there first
     * (intoArray, force-inlined by the JDK): a helper of ours taking the vector was now and then
     * left a call by C2, which then boxed the vector on every call.
     */
    private static float sumLanes(float[] lanes, int from) {
        float s = 0f;
        for (int i = from; i < from + L; i++) s += lanes[i];
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
            // Two rows of A at a time share the four B loads (6 loads per 8 FMAs instead of 5 per 4).
            // An odd last row is paired with itself (its second copy not stored): one loop body, not
            // a second one-row copy, keeps the method within C2's inlining budget (with both, it
            // boxed its vectors). Each output is one FMA chain over p either way.
            for (int i = 0; i < m; i += 2) {
                long ai = aOff + (long) i * lda, ak = aOff + (long) Math.min(i + 1, m - 1) * lda;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
                for (int p = 0; p < kb; p += L) {
                    // the JDK's loads directly, not through load() (here and below): those are force-inlined,
                    // a helper of ours is not, and C2 left it a call now and then (its vectors boxed)
                    FloatVector av = FloatVector.fromMemorySegment(S, a, (ai + p) * Float.BYTES, ORDER);
                    FloatVector aw = FloatVector.fromMemorySegment(S, a, (ak + p) * Float.BYTES, ORDER);
                    FloatVector w0 = FloatVector.fromMemorySegment(S, b, (b0 + p) * Float.BYTES, ORDER);
                    FloatVector w1 = FloatVector.fromMemorySegment(S, b, (b1 + p) * Float.BYTES, ORDER);
                    FloatVector w2 = FloatVector.fromMemorySegment(S, b, (b2 + p) * Float.BYTES, ORDER);
                    FloatVector w3 = FloatVector.fromMemorySegment(S, b, (b3 + p) * Float.BYTES, ORDER);
                    s0 = av.fma(w0, s0);
                    s1 = av.fma(w1, s1);
                    s2 = av.fma(w2, s2);
                    s3 = av.fma(w3, s3);
                    u0 = aw.fma(w0, u0);
                    u1 = aw.fma(w1, u1);
                    u2 = aw.fma(w2, u2);
                    u3 = aw.fma(w3, u3);
                }
                s0.intoArray(lanes, 0);
                s1.intoArray(lanes, L);
                s2.intoArray(lanes, 2 * L);
                s3.intoArray(lanes, 3 * L);
                finishFour(k, kb, a, ai, b, b0, ldb, alpha, beta, c, cOff + (long) i * ldc + j, lanes);
                if (i + 1 < m) {
                    u0.intoArray(lanes, 0);
                    u1.intoArray(lanes, L);
                    u2.intoArray(lanes, 2 * L);
                    u3.intoArray(lanes, 3 * L);
                    finishFour(k, kb, a, ak, b, b0, ldb, alpha, beta, c, cOff + (long) (i + 1) * ldc + j, lanes);
                }
            }
        }
        for (; j < n; j++) {
            long bj = bOff + (long) j * ldb;
            for (int i = 0; i < m; i++) {
                long ai = aOff + (long) i * lda;
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0; p < kb; p += L) {
                    s0 = FloatVector.fromMemorySegment(S, a, (ai + p) * Float.BYTES, ORDER)
                            .fma(FloatVector.fromMemorySegment(S, b, (bj + p) * Float.BYTES, ORDER), s0);
                }
                s0.intoArray(lanes, 0);
                float t = sumLanes(lanes, 0);
                for (int p = kb; p < k; p++) t += get(a, ai + p) * get(b, bj + p);
                put(c, cOff + (long) i * ldc + j, alpha, t, beta);
            }
        }
    }

    /**
     * One row's four dot products (columns b0, b0 + ldb, …): their accumulators' lanes at
     * lanes[0, L), [L, 2L), … summed, the scalar k-tails added, stored at ci … ci + 3.
     */
    private static void finishFour(int k, int kb, MemorySegment a, long ai, MemorySegment b, long b0, int ldb, float alpha, float beta,
                                   MemorySegment c, long ci, float[] lanes) {
        long b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        float t0 = sumLanes(lanes, 0), t1 = sumLanes(lanes, L), t2 = sumLanes(lanes, 2 * L), t3 = sumLanes(lanes, 3 * L);
        for (int p = kb; p < k; p++) {
            float x = get(a, ai + p);
            t0 += x * get(b, b0 + p);
            t1 += x * get(b, b1 + p);
            t2 += x * get(b, b2 + p);
            t3 += x * get(b, b3 + p);
        }
        put(c, ci, alpha, t0, beta);
        put(c, ci + 1, alpha, t1, beta);
        put(c, ci + 2, alpha, t2, beta);
        put(c, ci + 3, alpha, t3, beta);
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
