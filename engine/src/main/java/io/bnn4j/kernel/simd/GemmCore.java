package io.bnn4j.kernel.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The cache-blocked GEMM driver shared by {@link SimdGemm} and {@link SimdConv}:
 * C[i0:i1, j0:j1] = alpha·A·B + beta·C, where A (m × k) and B (k × n) are never read directly
 * but through packers ({@link APacker}, {@link BPacker}) that copy a block into the heap
 * layout the microkernel wants. A plain matrix (any transpose, any leading dimension) is one
 * packer; an implicit im2col matrix is another, which is how convolution avoids materialising
 * its 25×-larger column matrix.
 *
 * <p>Blocking (BLIS order): for each NC columns, for each KC slice of the reduction, pack the
 * B block (KC × NC, in NR-wide panels); for each MC rows, pack the A block (MC × KC, in MR-tall
 * panels); then run the MR × NR register-blocked FMA microkernel over every (panel, panel)
 * pair. With 8-lane AVX2 vectors: MR = 6, NR = 16, 12 accumulators + 2 B vectors + 1 broadcast
 * = 15 of the 16 ymm registers. An A micro-panel (6 × 256 floats, 6 KiB) and a B micro-panel
 * (256 × 16, 16 KiB) sit in the 32 KiB L1; the A block (144 × 256, 144 KiB) in the 512 KiB L2.
 *
 * <p>Edges: A panels are zero-padded to MR rows, B panels to a whole vector; the last B panel
 * is one vector wide (the 6 × 8 kernel) when at most 8 columns remain, so no edge ever falls
 * back to a scalar loop over K. Only the C update of an edge tile is scalar (O(m·n) per KC).
 *
 * <p>Determinism: every element of C is one FMA chain over p = 0..k-1 in order, split at the
 * same KC boundaries whatever the tiling, so results do not depend on how the output is cut
 * into jobs or on the thread count.
 */
final class GemmCore {

    /**
     * The vector width of the GEMM tiles (and of the convolutions' im2col path):
     * {@code -Dbnn4j.gemm.bits=256|512}, else 256 bits when the CPU offers at least that. Measured
     * on the project's AVX-512 machine (docs/PERFORMANCE.md): 512-bit FMAs give no more flops per
     * cycle there, and 16-wide tiles waste more on small dimensions (the few-row products along
     * 120 inputs ran at half speed). The direct convolution picks its own width ({@link SimdConv#DS}).
     */
    static final VectorSpecies<Float> S = pickSpecies();
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 24 * MR;
    static final int NC = 2048;

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private GemmCore() {}

    private static VectorSpecies<Float> pickSpecies() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        String want = System.getProperty("bnn4j.gemm.bits", "").trim();
        int bits = want.isEmpty() ? Math.min(256, preferred.vectorBitSize()) : Integer.parseInt(want);
        if (bits > preferred.vectorBitSize()) bits = preferred.vectorBitSize();
        return switch (bits) {
            case 512 -> FloatVector.SPECIES_512;
            case 256 -> FloatVector.SPECIES_256;
            default -> FloatVector.SPECIES_128;
        };
    }

    /** Packs rows [i0, i0+mc) × reduction [p0, p0+kc) of A into MR-row panels: dst[panel·MR·kc + p·MR + r]. */
    interface APacker {
        void packA(int i0, int mc, int p0, int kc, float[] dst);
    }

    /**
     * Packs reduction [p0, p0+kc) × columns [j0, j0+nc) of B into panels of {@link #panelWidth}
     * columns: panel q starts at dst[q·NR·kc], element (p, c) at + p·width + c, zero-padded.
     */
    interface BPacker {
        void packB(int p0, int kc, int j0, int nc, float[] dst);
    }

    /** Width of the B panel holding the last {@code rem} columns: one vector if they fit, else NR. */
    static int panelWidth(int rem) {
        return rem <= L ? L : NR;
    }

    /** Per-thread packing buffers and the accumulator tile, allocated once per thread. */
    static final class Scratch {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * C[i0:i1, j0:j1] = alpha·A·B + beta·C for a reduction of length k; C row-major at
     * (c, cOff) with row stride ldc. beta == 0 never reads C.
     */
    static void run(int i0, int i1, int j0, int j1, int k, float alpha, APacker ap, BPacker bp,
                    float beta, MemorySegment c, long cOff, int ldc, Scratch s) {
        if (i1 <= i0 || j1 <= j0) return;
        if (k == 0) {
            scaleC(i0, i1, j0, j1, beta, c, cOff, ldc);
            return;
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                bp.packB(pc, kc, jc, nc, s.b);
                // The first KC slice applies beta; later slices accumulate into C.
                float betaHere = pc == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    ap.packA(ic, mc, pc, kc, s.a);
                    macro(ic, mc, jc, nc, kc, alpha, betaHere, c, cOff, ldc, s);
                }
            }
        }
    }

    private static void macro(int ic, int mc, int jc, int nc, int kc, float alpha, float beta,
                              MemorySegment c, long cOff, int ldc, Scratch s) {
        float[] a = s.a, b = s.b, t = s.tile;
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int bi = (jr / NR) * NR * kc;
            boolean narrow = panelWidth(cols) == L;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int ai = (ir / MR) * MR * kc;
                if (narrow) tile6x8(kc, a, ai, b, bi, t);
                else tile6x16(kc, a, ai, b, bi, t);
                update(t, narrow ? L : NR, rows, cols, alpha, beta, c,
                        cOff + (long) (ic + ir) * ldc + jc + jr, ldc);
            }
        }
    }

    /** The 6 × 16 microkernel: t (6 × 16) = Σ_p a[p, 0..5] ⊗ b[p, 0..15]. */
    static void tile6x16(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ai + p * MR, pb = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector x = FloatVector.broadcast(S, a[pa]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[pa + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[pa + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[pa + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[pa + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[pa + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(t, 0); c01.intoArray(t, L);
        c10.intoArray(t, NR); c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR); c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR); c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR); c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR); c51.intoArray(t, 5 * NR + L);
    }

    /** The 6 × 8 microkernel for a last panel of at most one vector: t rows have stride L. */
    static void tile6x8(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi + p * L);
            c0 = FloatVector.broadcast(S, a[pa]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[pa + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[pa + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[pa + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[pa + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[pa + 5]).fma(b0, c5);
        }
        c0.intoArray(t, 0); c1.intoArray(t, L); c2.intoArray(t, 2 * L);
        c3.intoArray(t, 3 * L); c4.intoArray(t, 4 * L); c5.intoArray(t, 5 * L);
    }

    /**
     * C tile (rows × cols at cBase, row stride ldc) = alpha·t + beta·C, t with row stride
     * tStride. Vector and scalar paths evaluate the same expression (two products, one sum),
     * so they round identically.
     */
    private static void update(float[] t, int tStride, int rows, int cols, float alpha, float beta,
                               MemorySegment c, long cBase, int ldc) {
        boolean fullVectors = cols == tStride;
        for (int r = 0; r < rows; r++) {
            long row = cBase + (long) r * ldc;
            int tr = r * tStride;
            if (fullVectors) {
                for (int v = 0; v < cols; v += L) {
                    long byteOff = (row + v) * Float.BYTES;
                    FloatVector acc = FloatVector.fromArray(S, t, tr + v).mul(alpha);
                    if (beta != 0f) acc = acc.add(FloatVector.fromMemorySegment(S, c, byteOff, NATIVE).mul(beta));
                    acc.intoMemorySegment(c, byteOff, NATIVE);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    long ci = row + j;
                    float v = alpha * t[tr + j];
                    if (beta != 0f) v = v + beta * c.getAtIndex(F, ci);
                    c.setAtIndex(F, ci, v);
                }
            }
        }
    }

    /** C = beta·C (k == 0); beta == 0 writes zeros without reading. */
    private static void scaleC(int i0, int i1, int j0, int j1, float beta, MemorySegment c, long cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            long row = cOff + (long) i * ldc;
            for (int j = j0; j < j1; j++) {
                c.setAtIndex(F, row + j, beta == 0f ? 0f : beta * c.getAtIndex(F, row + j));
            }
        }
    }

    // ------------------------------------------------------------------ plain matrix packers

    /** op(A) of a row-major segment: A (m × k, row stride lda) or, transposed, A stored k × m. */
    record MatrixA(MemorySegment a, long off, int ld, boolean trans) implements APacker {
        @Override
        public void packA(int i0, int mc, int p0, int kc, float[] dst) {
            for (int ir = 0, panel = 0; ir < mc; ir += MR, panel += MR * kc) {
                int rows = Math.min(MR, mc - ir);
                if (!trans) {
                    for (int r = 0; r < MR; r++) {
                        if (r >= rows) {
                            for (int p = 0; p < kc; p++) dst[panel + p * MR + r] = 0f;
                            continue;
                        }
                        long src = off + (long) (i0 + ir + r) * ld + p0;
                        for (int p = 0; p < kc; p++) dst[panel + p * MR + r] = a.getAtIndex(F, src + p);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        long src = off + (long) (p0 + p) * ld + i0 + ir;
                        int d = panel + p * MR;
                        for (int r = 0; r < rows; r++) dst[d + r] = a.getAtIndex(F, src + r);
                        for (int r = rows; r < MR; r++) dst[d + r] = 0f;
                    }
                }
            }
        }
    }

    /** op(B) of a row-major segment: B (k × n, row stride ldb) or, transposed, B stored n × k. */
    record MatrixB(MemorySegment b, long off, int ld, boolean trans) implements BPacker {
        @Override
        public void packB(int p0, int kc, int j0, int nc, float[] dst) {
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr);
                int w = panelWidth(cols);
                int panel = (jr / NR) * NR * kc;
                if (!trans) {
                    if (cols == w) {
                        for (int p = 0; p < kc; p++) {
                            long src = (off + (long) (p0 + p) * ld + j0 + jr) * Float.BYTES;
                            for (int v = 0; v < w; v += L) {
                                FloatVector.fromMemorySegment(S, b, src + (long) v * Float.BYTES, NATIVE)
                                        .intoArray(dst, panel + p * w + v);
                            }
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            long src = off + (long) (p0 + p) * ld + j0 + jr;
                            int d = panel + p * w;
                            for (int j = 0; j < cols; j++) dst[d + j] = b.getAtIndex(F, src + j);
                            for (int j = cols; j < w; j++) dst[d + j] = 0f;
                        }
                    }
                } else {
                    for (int j = 0; j < w; j++) {
                        if (j >= cols) {
                            for (int p = 0; p < kc; p++) dst[panel + p * w + j] = 0f;
                            continue;
                        }
                        long src = off + (long) (j0 + jr + j) * ld + p0;
                        for (int p = 0; p < kc; p++) dst[panel + p * w + j] = b.getAtIndex(F, src + p);
                    }
                }
            }
        }
    }
}
