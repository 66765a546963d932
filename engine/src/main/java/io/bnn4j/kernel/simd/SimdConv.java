package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Convolution on the Vector API, NCHW, no bias. Vocabulary: x: (n, cIn, h, w);
 * w: (cOut, cIn, k, k); y: (n, cOut, outH, outW); P = outH·outW output positions per image;
 * K = cIn·k·k taps (the im2col row count); xp: one image zero-padded to (cIn, Hp, Wp) in heap
 * scratch, Hp = h + 2·pad, Wp = w + 2·pad; tap p = (ci, ky, kx) sits at xp offset
 * off[p] = ci·Hp·Wp + ky·Wp + kx from a window's corner.
 *
 * <p>Strategies, chosen per call by the fraction of FMAs each would waste on this geometry
 * ({@link #forwardStrategy}, {@link #backwardWeights}):
 * <ul>
 *   <li><b>Row tiles</b> ({@link ConvRowTiles}, forward, stride 1): positions on the tile's row
 *       side, 16 output channels on the vector side; LeNet conv2.</li>
 *   <li><b>Lane weights</b> ({@link ConvLaneWeights}, weight gradient, stride 1, few output
 *       channels): positions along the lanes; LeNet conv1.</li>
 *   <li><b>Direct, padded rows</b> (forward, stride 1): with stride 1, output position
 *       q = oy·Wp + ox of the padded row grid reads xp[q + off[p]], so for a run of 16
 *       consecutive q the B operand of the GEMM is a plain vector load from the padded image:
 *       no im2col at all. The microkernel is the 6 × 16 of {@link GemmCore} with B read at
 *       xp[q0 + off[p]]; the k − 1 columns past outW on each row are computed and dropped
 *       (LeNet conv1: 28 of 32 kept). Used when these junk columns cost less than half.</li>
 *   <li><b>Blocked im2col + GEMM</b> (forward with stride > 1, or tiny planes): the im2col
 *       matrix is never materialised: {@link Im2colB} gathers it straight into the packed B
 *       panels {@link GemmCore} feeds to the microkernel.</li>
 *   <li><b>Weight gradient, positions as the reduction</b> ({@link ConvWeightTiles}): dWᵀ (K × cOut) = Σ over images and
 *       positions of xp[pos + off[p]] ⊗ dyᵀ[pos, co]: a 6-tap × 16-channel (or 12 × 8 when
 *       cOut ≤ 8) FMA tile whose A values are broadcast straight from the padded image; for
 *       5 × 5 kernels whole kernel rows (5 or 10 taps) per tile. Any stride, no im2col, no junk
 *       positions.</li>
 * </ul>
 * Backward data with stride 1 and pad ≤ k − 1 is a forward convolution of dy (padded by
 * k − 1 − pad) with the weights flipped and cIn/cOut swapped; otherwise it is a GEMM
 * (dcol = Wᵀ·dy) followed by col2im.
 *
 * <p>Threads: the batch is cut into fixed blocks of {@link #IMAGE_BLOCK} images. Forward and
 * backward-data write disjoint images. The weight gradient sums each block's partial in block
 * order (a block waits for its predecessor's turn), so it is bit-identical for any thread count.
 */
final class SimdConv {

    static final VectorSpecies<Float> S = GemmCore.S;
    static final int L = GemmCore.L;
    static final int MR = GemmCore.MR;
    static final int NR = GemmCore.NR;
    /**
     * The padded-row (direct) kernel's vectors: 512 bits where the CPU has 32 vector registers
     * (as {@link ConvRowTiles#WIDE}), else the GEMM's. Its tiles are 6 channels × 2 vectors of
     * positions with only k² taps each (25 for LeNet conv1), so the per-tile work around the
     * FMAs weighs; 32-position tiles halve it (figures in docs/PERFORMANCE.md, section 3).
     */
    static final VectorSpecies<Float> DS = ConvRowTiles.WIDE ? FloatVector.SPECIES_512 : GemmCore.S;
    static final int DL = DS.length();
    static final int DNR = 2 * DL;
    static final ValueLayout.OfFloat F = GemmCore.F;

    /** Images per parallel block: fixed, so partial sums are the same for any thread count. */
    static final int IMAGE_BLOCK = 8;

    private SimdConv() {}

    /** Growable per-thread heap buffers (no allocation once they have reached their size). */
    static final class Scratch {
        float[] xp = new float[0], yq = new float[0], wPack = new float[0], wFlip = new float[0];
        float[] dyT = new float[0], partial = new float[0], acc = new float[0], col = new float[0], img = new float[0];
        int[] off = new int[0];
        MemorySegment colSeg = MemorySegment.ofArray(col);
        final float[] tile = new float[2 * MR * Math.max(NR, DNR)];

        float[] colSized(int len) {
            if (col.length < len) {
                col = new float[len];
                colSeg = MemorySegment.ofArray(col);
            }
            return col;
        }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static float[] grow(float[] a, int len) {
        return a.length >= len ? a : new float[len];
    }

    // ================================================================== forward

    static void forward(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff,
                        MemorySegment y, long yOff) {
        Scratch caller = SCRATCH.get();
        Forward f = forwardStrategy(g);
        if (f != Forward.IM2COL) {
            int wl = g.weightSize();
            caller.wFlip = grow(caller.wFlip, wl);
            MemorySegment.copy(w, F, wOff * Float.BYTES, caller.wFlip, 0, wl);
            if (f == Forward.DIRECT) forwardDirect(par, g, x, xOff, caller.wFlip, y, yOff, caller);
            else ConvRowTiles.forward(par, g, x, xOff, caller.wFlip, y, yOff, f == Forward.ROWS_WIDE);
        } else {
            forwardIm2col(par, g, x, xOff, w, wOff, y, yOff);
        }
    }

    /** The forward kernels: padded rows (positions on the vector side), row tiles (channels on the vector side), im2col. */
    enum Forward { DIRECT, ROWS, ROWS_WIDE, IM2COL }

    /**
     * Stride 1: whichever of the padded-row kernel and the row tiles wastes fewer FMAs (row tiles
     * need at least 256-bit vectors); else blocked im2col.
     */
    static Forward forwardStrategy(ConvGeometry g) {
        if (g.stride() != 1) return Forward.IM2COL;
        boolean rowsOk = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
        double rows = rowsOk ? ConvRowTiles.usefulFraction(g, ConvRowTiles.WIDE) : 0;
        double direct = useDirect(g) ? directUsefulFraction(g) : 0;
        if (rows >= 0.5 && rows > direct) return ConvRowTiles.WIDE ? Forward.ROWS_WIDE : Forward.ROWS;
        return direct > 0 ? Forward.DIRECT : Forward.IM2COL;
    }

    /** Fraction of the padded-row kernel's FMAs that produce a kept output. */
    static double directUsefulFraction(ConvGeometry g) {
        long useful = (long) g.outH() * g.outW();
        long computed = roundUp((long) g.outH() * (g.w() + 2 * g.pad()), DNR);
        return (double) useful / computed * g.cOut() / roundUp(g.cOut(), MR);
    }

    /** Direct padded-row kernel: stride 1 and at most 50% junk columns. */
    static boolean useDirect(ConvGeometry g) {
        if (g.stride() != 1) return false;
        long useful = (long) g.outH() * g.outW();
        long computed = roundUp((long) g.outH() * (g.w() + 2 * g.pad()), DNR);
        return computed * 2 <= useful * 3;
    }

    /**
     * y = conv(x, w) with stride 1, w given in heap as (cOut, cIn, k, k). The caller's scratch
     * holds the packed weights and tap offsets, read-only while the blocks run.
     */
    static void forwardDirect(Parallel par, ConvGeometry g, MemorySegment x, long xOff, float[] w,
                              MemorySegment y, long yOff, Scratch caller) {
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int outH = g.outH(), outW = g.outW();
        final int q = outH * wp, qp = roundUp(q, DNR);
        final int panels = ceilDiv(cOut, MR);
        // wPack: (panels, K, MR), zero rows past cOut.
        caller.wPack = grow(caller.wPack, panels * kk * MR);
        float[] wPack = caller.wPack;
        for (int pn = 0; pn < panels; pn++) {
            for (int p = 0; p < kk; p++) {
                for (int r = 0; r < MR; r++) {
                    int co = pn * MR + r;
                    wPack[(pn * kk + p) * MR + r] = co < cOut ? w[co * kk + p] : 0f;
                }
            }
        }
        int[] off = tapOffsets(caller, cIn, k, hp, wp);
        if (par == null || par.threads() == 1 || g.n() <= IMAGE_BLOCK) {
            // One block: run it here, without making a capturing lambda (no allocation per call).
            directImages(0, g.n(), g, x, xOff, y, yOff, wPack, off);
        } else {
            par.forBlocks(g.n(), IMAGE_BLOCK, (blk, from, to) -> directImages(from, to, g, x, xOff, y, yOff, wPack, off));
        }
    }

    /** Images [from, to) of the padded-row forward; each image is computed the same way whatever the split. */
    private static void directImages(int from, int to, ConvGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                                     float[] wPack, int[] off) {
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int outH = g.outH(), outW = g.outW();
        final int q = outH * wp, qp = roundUp(q, DNR);
        final int panels = ceilDiv(cOut, MR);
            Scratch s = SCRATCH.get();
            int xpLen = cIn * hp * wp + k + 2 * DNR;
            s.xp = grow(s.xp, xpLen);
            s.yq = grow(s.yq, cOut * qp);
            float[] xp = s.xp, yq = s.yq, t = s.tile;
            Arrays.fill(xp, 0, xpLen, 0f);
            for (int img = from; img < to; img++) {
                loadPadded(g, x, xOff + (long) img * g.inputSize(), xp, hp, wp);
                for (int q0 = 0; q0 < qp; q0 += DNR) {
                    for (int pn = 0; pn < panels; pn++) {
                        directTile(kk, wPack, pn * kk * MR, xp, q0, off, t);
                        int rows = Math.min(MR, cOut - pn * MR);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(t, r * DNR, yq, (pn * MR + r) * qp + q0, DNR);
                        }
                    }
                }
                // Keep the outW valid columns of each padded row.
                long yImg = yOff + (long) img * g.outputSize();
                for (int co = 0; co < cOut; co++) {
                    for (int oy = 0; oy < outH; oy++) {
                        MemorySegment.copy(yq, co * qp + oy * wp, y, F, (yImg + ((long) co * outH + oy) * outW) * Float.BYTES, outW);
                    }
                }
            }
    }

    /** off[p] for p = (ci, ky, kx) in a padded (cIn, hp, wp) image; kept in the caller's scratch. */
    static int[] tapOffsets(Scratch s, int cIn, int k, int hp, int wp) {
        int kk = cIn * k * k;
        if (s.off.length < kk) s.off = new int[kk];
        int[] off = s.off;
        for (int ci = 0, p = 0; ci < cIn; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) off[p++] = ci * hp * wp + ky * wp + kx;
        return off;
    }

    /**
     * Copies one image into the interior of a zeroed padded buffer (borders stay zero). Without
     * padding the layouts coincide: one bulk copy (per-row segment copies cost ~15 ns each, 10-20%
     * of LeNet conv2's forward and weight gradient). With padding, one copy per row (staging the
     * image in heap for System.arraycopy measured no faster).
     */
    static void loadPadded(ConvGeometry g, MemorySegment x, long imgOff, float[] xp, int hp, int wp) {
        int h = g.h(), w = g.w(), pad = g.pad();
        if (pad == 0) {
            MemorySegment.copy(x, F, imgOff * Float.BYTES, xp, 0, g.inputSize());
            return;
        }
        for (int ci = 0; ci < g.cIn(); ci++) {
            for (int iy = 0; iy < h; iy++) {
                MemorySegment.copy(x, F, (imgOff + ((long) ci * h + iy) * w) * Float.BYTES,
                        xp, (ci * hp + iy + pad) * wp + pad, w);
            }
        }
    }

    private static final ThreadLocal<float[][]> STAGE = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    /** A per-thread heap buffer of at least len floats, for bulk copies out of segments. */
    static float[] stage(int len) {
        float[][] h = STAGE.get();
        if (h[0].length < len) h[0] = new float[len];
        return h[0];
    }

    /** t (6 × DNR) = Σ_p wPack[p, 0..5] ⊗ xp[q0 + off[p] .. + DNR). */
    static void directTile(int kk, float[] a, int ai, float[] xp, int q0, int[] off, float[] t) {
        FloatVector c00 = FloatVector.zero(DS), c01 = FloatVector.zero(DS);
        FloatVector c10 = FloatVector.zero(DS), c11 = FloatVector.zero(DS);
        FloatVector c20 = FloatVector.zero(DS), c21 = FloatVector.zero(DS);
        FloatVector c30 = FloatVector.zero(DS), c31 = FloatVector.zero(DS);
        FloatVector c40 = FloatVector.zero(DS), c41 = FloatVector.zero(DS);
        FloatVector c50 = FloatVector.zero(DS), c51 = FloatVector.zero(DS);
        for (int p = 0; p < kk; p++) {
            int o = q0 + off[p], pa = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(DS, xp, o);
            FloatVector b1 = FloatVector.fromArray(DS, xp, o + DL);
            FloatVector v = FloatVector.broadcast(DS, a[pa]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(DS, a[pa + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(DS, a[pa + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(DS, a[pa + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(DS, a[pa + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(DS, a[pa + 5]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        c00.intoArray(t, 0); c01.intoArray(t, DL);
        c10.intoArray(t, DNR); c11.intoArray(t, DNR + DL);
        c20.intoArray(t, 2 * DNR); c21.intoArray(t, 2 * DNR + DL);
        c30.intoArray(t, 3 * DNR); c31.intoArray(t, 3 * DNR + DL);
        c40.intoArray(t, 4 * DNR); c41.intoArray(t, 4 * DNR + DL);
        c50.intoArray(t, 5 * DNR); c51.intoArray(t, 5 * DNR + DL);
    }

    /** Per image: y_img (cOut × P) = W (cOut × K) · im2col(x_img) (K × P), im2col gathered into packed panels. */
    static void forwardIm2col(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff,
                              MemorySegment y, long yOff) {
        int kk = g.patchSize(), pp = g.outH() * g.outW();
        GemmCore.APacker ap = new GemmCore.MatrixA(w, wOff, kk, false);
        par.forBlocks(g.n(), IMAGE_BLOCK, (blk, from, to) -> {
            GemmCore.Scratch gs = GemmCore.scratch();
            for (int img = from; img < to; img++) {
                Im2colB bp = new Im2colB(g, x, xOff + (long) img * g.inputSize());
                GemmCore.run(0, g.cOut(), 0, pp, kk, 1f, ap, bp, 0f, y, yOff + (long) img * g.outputSize(), pp, gs);
            }
        });
    }

    /**
     * B = im2col(x_img): B[p, q] = x[ci, oy·s − pad + ky, ox·s − pad + kx] (0 outside), p = (ci, ky, kx),
     * q = (oy, ox), gathered panel by panel into the GEMM's packed layout.
     */
    record Im2colB(ConvGeometry g, MemorySegment x, long imgOff) implements GemmCore.BPacker {
        @Override
        public void packB(int p0, int kc, int j0, int nc, float[] dst) {
            int k = g.k(), s = g.stride(), pad = g.pad(), h = g.h(), w = g.w(), outW = g.outW();
            int[] iy0 = new int[NR], ix0 = new int[NR];
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr);
                int width = GemmCore.panelWidth(cols);
                int panel = (jr / NR) * NR * kc;
                for (int j = 0; j < cols; j++) {
                    int q = j0 + jr + j;
                    iy0[j] = (q / outW) * s - pad;
                    ix0[j] = (q % outW) * s - pad;
                }
                for (int p = 0; p < kc; p++) {
                    int tap = p0 + p, ci = tap / (k * k), ky = (tap / k) % k, kx = tap % k;
                    long plane = imgOff + (long) ci * h * w;
                    int d = panel + p * width;
                    for (int j = 0; j < cols; j++) {
                        int iy = iy0[j] + ky, ix = ix0[j] + kx;
                        dst[d + j] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x.getAtIndex(F, plane + (long) iy * w + ix) : 0f;
                    }
                    for (int j = cols; j < width; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    // ================================================================== backward data

    static void backwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                             MemorySegment dx, long dxOff) {
        if (!backwardDataTransposed(par, g, dy, dyOff, w, wOff, dx, dxOff)) backwardDataCol2im(par, g, dy, dyOff, w, wOff, dx, dxOff);
    }

    /**
     * dx = conv(dy padded by k − 1 − pad, flip(w) with cIn and cOut swapped) by the direct kernel,
     * when stride is 1, pad ≤ k − 1 and the direct kernel suits that convolution; false otherwise.
     */
    static boolean backwardDataTransposed(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                                          MemorySegment dx, long dxOff) {
        int k = g.k();
        if (g.stride() != 1 || g.pad() > k - 1) return false;
        ConvGeometry t = new ConvGeometry(g.n(), g.cOut(), g.outH(), g.outW(), g.cIn(), k, 1, k - 1 - g.pad());
        if (!useDirect(t)) return false;
        Scratch caller = SCRATCH.get();
        caller.wFlip = grow(caller.wFlip, g.weightSize());
        float[] wf = caller.wFlip;
        // wf[ci][co][ky][kx] = w[co][ci][k-1-ky][k-1-kx]
        for (int co = 0; co < g.cOut(); co++)
            for (int ci = 0; ci < g.cIn(); ci++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        wf[((ci * g.cOut() + co) * k + ky) * k + kx] =
                                w.getAtIndex(F, wOff + ((long) (co * g.cIn() + ci) * k + (k - 1 - ky)) * k + (k - 1 - kx));
        forwardDirect(par, t, dy, dyOff, wf, dx, dxOff, caller);
        return true;
    }

    /** Per image: dcol (K × P) = Wᵀ · dy_img, then dx_img = col2im(dcol). */
    static void backwardDataCol2im(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                                   MemorySegment dx, long dxOff) {
        int kk = g.patchSize(), pp = g.outH() * g.outW();
        int k = g.k(), st = g.stride(), pad = g.pad(), h = g.h(), wd = g.w(), outW = g.outW();
        GemmCore.APacker ap = new GemmCore.MatrixA(w, wOff, kk, true);
        par.forBlocks(g.n(), IMAGE_BLOCK, (blk, from, to) -> {
            Scratch s = SCRATCH.get();
            GemmCore.Scratch gs = GemmCore.scratch();
            float[] col = s.colSized(kk * pp);
            s.img = grow(s.img, g.inputSize());
            float[] im = s.img;
            for (int img = from; img < to; img++) {
                GemmCore.BPacker bp = new GemmCore.MatrixB(dy, dyOff + (long) img * g.outputSize(), pp, false);
                GemmCore.run(0, kk, 0, pp, g.cOut(), 1f, ap, bp, 0f, s.colSeg, 0, pp, gs);
                Arrays.fill(im, 0, g.inputSize(), 0f);
                for (int tap = 0; tap < kk; tap++) {
                    int ci = tap / (k * k), ky = (tap / k) % k, kx = tap % k;
                    int plane = ci * h * wd, row = tap * pp;
                    for (int q = 0; q < pp; q++) {
                        int iy = (q / outW) * st - pad + ky, ix = (q % outW) * st - pad + kx;
                        if (iy >= 0 && iy < h && ix >= 0 && ix < wd) im[plane + iy * wd + ix] += col[row + q];
                    }
                }
                MemorySegment.copy(im, 0, dx, F, (dxOff + (long) img * g.inputSize()) * Float.BYTES, g.inputSize());
            }
        });
    }

    // ================================================================== backward weights

    /**
     * dw[co, p] = Σ_img Σ_pos xp_img[pos + off[p]] · dy_img[co, pos]. Each block of images
     * accumulates dWᵀ (K × cw) in its own scratch, then adds it to the caller's total in block
     * order.
     */
    static void backwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                MemorySegment dw, long dwOff) {
        if (ConvLaneWeights.usefulFraction(g) > ConvWeightTiles.usefulFraction(g)) {
            ConvLaneWeights.backwardWeights(par, g, x, xOff, dy, dyOff, dw, dwOff);
        } else {
            ConvWeightTiles.backwardWeights(par, g, x, xOff, dy, dyOff, dw, dwOff);
        }
    }

    /** dst[d..d+len) += src[s..s+len), vectorised. */
    static void addInto(float[] dst, int d, float[] src, int s, int len) {
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < len; i++) dst[d + i] += src[s + i];
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int b) {
        return ceilDiv(a, b) * b;
    }

    static long roundUp(long a, int b) {
        return (a + b - 1) / b * b;
    }
}
