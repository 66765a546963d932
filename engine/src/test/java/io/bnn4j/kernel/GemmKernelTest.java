package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.bnn4j.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API GEMM against the scalar twin.
 *
 * <p>Tolerance: both compute each element as a float32 sum of k products, the SIMD one as one
 * FMA chain split every 256 terms, the scalar one as separate multiply and add, each then
 * scaled by alpha and added to beta·C. The standard bound for such a sum is
 * |error| ≤ γ(k+2)·(|alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij|) with γ(n) ≈ n·u, u = 2⁻²⁴; the two
 * results can differ by twice that. We assert exactly that bound, element by element (with
 * Σ|a||b| computed in double): it grows with k and with the magnitude of the terms, never a
 * loose constant.
 */
class GemmKernelTest {

    private static final Kernels SIMD = Kernels.simd();
    private static final Kernels SCALAR = Kernels.scalar();

    /**
     * Awkward sizes: 1, 2, primes, around the lane count and the tile for 8-lane (6 × 16) and
     * 16-lane (6 × 32) vectors: MR ± 1, L ± 1, NR ± 1.
     */
    private static final int[] SIZES = {1, 2, 5, 6, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 47};

    @Test
    void instanceIsSimdUnderTheTestJvm() {
        // The test JVM runs with --add-modules=jdk.incubator.vector: a silent scalar fallback
        // would be a 10-20x slowdown nobody notices.
        assertTrue(Kernels.instance().isSimd(), "Kernels.instance() fell back to " + Kernels.instance().name());
        assertTrue(SIMD.name().startsWith("simd-"));
    }

    @Test
    void allTransposesAwkwardSizes() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        int k = SIZES[rnd.nextInt(SIZES.length)];
                        check(ta, tb, m, n, k, 1f, 0f, 0, rnd, Parallel.serial());
                    }
                }
            }
        }
    }

    @Test
    void blockBoundaries() {
        SplittableRandom rnd = new SplittableRandom(2);
        // KC = 256, MC = 144, NR = 16, MR = 6, NC = 2048: each ±1.
        for (int k : new int[]{0, 255, 256, 257, 513}) check(false, false, 7, 17, k, 1f, 0f, 0, rnd, Parallel.serial());
        for (int m : new int[]{143, 144, 145}) check(true, false, m, 9, 31, 1f, 0.5f, 0, rnd, Parallel.serial());
        for (int n : new int[]{2047, 2048, 2049}) check(false, true, 3, n, 5, 1f, 0f, 0, rnd, Parallel.serial());
        check(false, false, 150, 70, 300, 0.75f, -1.25f, 0, rnd, Parallel.serial());
    }

    @Test
    void alphaBetaAndPaddedLeadingDimensions() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[][] ab = {{1f, 0f}, {2f, 0f}, {1f, 1f}, {-0.5f, 2f}, {0f, 1f}, {0f, 0f}, {1.5f, -1f}};
        for (float[] v : ab) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    check(ta, tb, 19, 23, 29, v[0], v[1], 3, rnd, Parallel.serial());
                    check(ta, tb, 1, 1, 1, v[0], v[1], 5, rnd, Parallel.serial());
                }
            }
        }
    }

    /**
     * The few-row path with B transposed (the dense layers of a small batch) takes rows of A in
     * pairs, an odd last row paired with itself: with beta ≠ 0 its C must still be scaled once.
     */
    @Test
    void fewRowsWithTransposedBAndBeta() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int m : new int[]{1, 2, 3, 15, 16}) {
            for (int n : new int[]{4, 5, 9, 17}) {
                for (int k : new int[]{1, 7, 17, 33}) check(false, true, m, n, k, 0.75f, -1.5f, 2, rnd, Parallel.serial());
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(4);
            int m = 13, n = 21, k = 7;
            MemorySegment a = random(arena, m * k, rnd), b = random(arena, k * n, rnd);
            MemorySegment c = filled(arena, m * n, Float.NaN);
            SIMD.gemm(Parallel.serial(), false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            for (int i = 0; i < m * n; i++) assertFalse(Float.isNaN(c.getAtIndex(F, i)), "NaN leaked at " + i);
            // k == 0 with beta == 0 gives zeros, also without reading C.
            MemorySegment c0 = filled(arena, m * n, Float.NaN);
            SIMD.gemm(Parallel.serial(), false, false, m, n, 0, 1f, a, 0, 1, b, 0, n, 0f, c0, 0, n);
            for (int i = 0; i < m * n; i++) assertEquals(0f, c0.getAtIndex(F, i));
        }
    }

    @Test
    void knownAnswer() {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154], then 2·that + 1·C with C = 1.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocateFrom(F, 1, 2, 3, 4, 5, 6);
            MemorySegment b = arena.allocateFrom(F, 7, 8, 9, 10, 11, 12);
            MemorySegment c = arena.allocateFrom(F, 1, 1, 1, 1);
            SIMD.gemm(Parallel.serial(), false, false, 2, 2, 3, 2f, a, 0, 3, b, 0, 2, 1f, c, 0, 2);
            assertArrayEquals(new float[]{117, 129, 279, 309}, c.toArray(F));
            // Aᵀ stored 3 × 2 and Bᵀ stored 2 × 3 give the same product.
            MemorySegment at = arena.allocateFrom(F, 1, 4, 2, 5, 3, 6);
            MemorySegment bt = arena.allocateFrom(F, 7, 9, 11, 8, 10, 12);
            MemorySegment c2 = arena.allocateFrom(F, 0, 0, 0, 0);
            SIMD.gemm(Parallel.serial(), true, true, 2, 2, 3, 1f, at, 0, 2, bt, 0, 3, 0f, c2, 0, 2);
            assertArrayEquals(new float[]{58, 64, 139, 154}, c2.toArray(F));
        }
    }

    @Test
    void threadCountInvariance() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] shapes = {{300, 257, 301}, {97, 641, 129}, {700, 33, 190}};
        try (Arena arena = Arena.ofShared(); Parallel p2 = new Parallel(2); Parallel p3 = new Parallel(3)) {
            for (int[] s : shapes) {
                for (boolean ta : new boolean[]{false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    MemorySegment a = random(arena, (long) m * k, rnd), b = random(arena, (long) k * n, rnd);
                    MemorySegment c0 = random(arena, (long) m * n, rnd);
                    MemorySegment c1 = copy(arena, c0), c2 = copy(arena, c0), c3 = copy(arena, c0);
                    int lda = ta ? m : k;
                    SIMD.gemm(Parallel.serial(), ta, !ta, m, n, k, 1.5f, a, 0, lda, b, 0, ta ? n : k, 0.5f, c1, 0, n);
                    SIMD.gemm(p2, ta, !ta, m, n, k, 1.5f, a, 0, lda, b, 0, ta ? n : k, 0.5f, c2, 0, n);
                    SIMD.gemm(p3, ta, !ta, m, n, k, 1.5f, a, 0, lda, b, 0, ta ? n : k, 0.5f, c3, 0, n);
                    assertTrue(sameBits(c1, c2), "1 vs 2 threads differ");
                    assertTrue(sameBits(c1, c3), "1 vs 3 threads differ");
                }
            }
            // And the parallel result is still right.
            check(false, false, 150, 131, 141, 1f, 0f, 0, rnd, p3);
        }
    }

    @Test
    void facadeContract() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = floats(arena, 16);
            Parallel p = Parallel.serial();
            assertThrows(IllegalArgumentException.class, () -> SIMD.gemm(p, false, false, -1, 2, 2, 1f, s, 0, 2, s, 0, 2, 0f, s, 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.gemm(p, false, false, 4, 4, 4, 1f, s, 1, 4, s, 0, 4, 0f, s, 0, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.gemm(p, false, false, 2, 2, 2, 1f, s, 0, 2, s, 0, 2, 0f, s, 15, 2));
            assertThrows(IllegalArgumentException.class, () -> SIMD.gemm(p, false, false, 2, 3, 2, 1f, s, 0, 2, s, 0, 3, 0f, s, 0, 2));
            // m or n zero: nothing touched, no failure.
            SIMD.gemm(p, false, false, 0, 3, 2, 1f, s, 0, 2, s, 0, 3, 0f, s, 0, 3);
        }
    }

    /** One random comparison; {@code pad} extra floats on each leading dimension (ld > cols). */
    static void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int pad,
                      SplittableRandom rnd, Parallel par) {
        try (Arena arena = Arena.ofShared()) {
            int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
            long aLen = (long) (ta ? k : m) * lda, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
            MemorySegment a = random(arena, aLen, rnd), b = random(arena, bLen, rnd);
            MemorySegment c0 = random(arena, cLen, rnd);
            if (beta == 0f) for (long i = 0; i < cLen; i += 3) c0.setAtIndex(F, i, Float.NaN);
            MemorySegment cs = copy(arena, c0), cv = copy(arena, c0);
            SCALAR.gemm(Parallel.serial(), ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, cs, 0, ldc);
            SIMD.gemm(par, ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, cv, 0, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    long ci = (long) i * ldc + j;
                    if (j >= n) { // padding columns are never written
                        assertEquals(Float.floatToRawIntBits(c0.getAtIndex(F, ci)), Float.floatToRawIntBits(cv.getAtIndex(F, ci)));
                        continue;
                    }
                    double scale = 0;
                    for (int p = 0; p < k; p++) {
                        float av = ta ? a.getAtIndex(F, (long) p * lda + i) : a.getAtIndex(F, (long) i * lda + p);
                        float bv = tb ? b.getAtIndex(F, (long) j * ldb + p) : b.getAtIndex(F, (long) p * ldb + j);
                        scale += Math.abs((double) av * bv);
                    }
                    scale = Math.abs(alpha) * scale + (beta == 0f ? 0 : Math.abs(beta * c0.getAtIndex(F, ci)));
                    double tol = 2 * (k + 2) * U * scale + Float.MIN_NORMAL;
                    float want = cs.getAtIndex(F, ci), got = cv.getAtIndex(F, ci);
                    int ii = i, jj = j;
                    assertTrue(Math.abs(want - got) <= tol,
                            () -> String.format("ta=%b tb=%b m=%d n=%d k=%d alpha=%s beta=%s: C[%d,%d] simd %s scalar %s (tol %.3g)",
                                    ta, tb, m, n, k, alpha, beta, ii, jj, got, want, tol));
                }
            }
        }
    }
}
