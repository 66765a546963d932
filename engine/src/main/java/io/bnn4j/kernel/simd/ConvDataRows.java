package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Stride-1 backward-data for layers with few input channels (LeNet conv2: 16 → 6), with dx
 * <b>positions on the vector side, one dx row at a time</b>:
 * dx[ci, iy, ix] = Σ_co Σ_ky Σ_kx w[co, ci, ky, kx] · dy[co, iy + pad − ky, ix + pad − kx].
 * Run as a forward convolution of dy padded by k − 1 (the general path), half of LeNet conv2's
 * products meet the zero rows and columns of the padding, and its 6 output channels fill 6 of
 * the 16 channels of a row tile. Here only the taps whose dy row lies inside the image are
 * visited (per dx row, a list made once per call), so only the column padding is wasted.
 *
 * <p>A tile is {@link #CI} dx channels × 16 consecutive columns of one dx row (two 8-lane
 * vectors, 12 accumulators: fits 16 vector registers); each tap loads two vectors of a
 * column-padded dy row and broadcasts CI packed weights. Every dx element is one FMA chain over
 * the row's taps in a fixed order (co, ky, kx), whatever the thread count.
 */
final class ConvDataRows {

    static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** dx channels per tile. */
    static final int CI = 6;
    /** dx columns per tile: two 8-lane vectors. */
    static final int COLS = 16;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvDataRows() {}

    /**
     * Stride 1, pad ≤ k − 1, fewer than 16 input channels (more fill the row tiles of the general
     * path), and 256-bit vectors in hardware.
     */
    static boolean applies(ConvGeometry g) {
        return g.stride() == 1 && g.pad() <= g.k() - 1 && g.cIn() < 16
                && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    static final class Scratch {
        float[] dyP = new float[0], dxImg = new float[0], wPack = new float[0];
        int[] tapD = new int[0], tapW = new int[0], rowStart = new int[0];
        int[] pairD = new int[0], pairW = new int[0], pairStart = new int[0];
        final float[] tile = new float[2 * CI * COLS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // dy: (n, cOut, outH, outW), w: (cOut, cIn, k, k) → dx: (n, cIn, h, w)
    static void backwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                             MemorySegment dx, long dxOff) {
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), pad = g.pad(), h = g.h();
        final int outH = g.outH(), outW = g.outW();
        final int pl = k - 1 - pad, wp = pl + SimdConv.roundUp(g.w(), COLS) + pad;
        final int blocks = SimdConv.ceilDiv(cIn, CI);
        Scratch caller = SCRATCH.get();
        // wPack: (blocks, cOut, k, k, CI), zero channels past cIn
        int wl = blocks * cOut * k * k * CI;
        if (caller.wPack.length < wl) caller.wPack = new float[wl];
        float[] wPack = caller.wPack;
        for (int b = 0; b < blocks; b++)
            for (int co = 0; co < cOut; co++)
                for (int t = 0; t < k * k; t++)
                    for (int j = 0; j < CI; j++) {
                        int ci = b * CI + j;
                        wPack[(((b * cOut) + co) * k * k + t) * CI + j] =
                                ci < cIn ? w.getAtIndex(F, wOff + ((long) co * cIn + ci) * k * k + t) : 0f;
                    }
        // Per dx row iy, its taps (co, ky, kx) with dy row oy = iy + pad − ky inside [0, outH): the
        // dy offset (padded, for column 0 of the tile) and the packed-weight offset (block 0). dy
        // rows are stored with a zero row above and below each channel (row oy at oy + 1), so a
        // pair of dx rows (iy, iy + 1) can run the union of their taps: the tap of one row whose
        // dy row is outside reads zeros.
        int rowsP = outH + 2;
        if (caller.rowStart.length < h + 1) caller.rowStart = new int[h + 1];
        if (caller.pairStart.length < h + 1) caller.pairStart = new int[h + 1];
        int[] rowStart = caller.rowStart, pairStart = caller.pairStart;
        int taps = 0, pairTaps = 0;
        for (int iy = 0; iy < h; iy++) {
            rowStart[iy] = taps;
            pairStart[iy] = pairTaps;
            for (int ky = 0; ky < k; ky++) {
                int oy = iy + pad - ky;
                if (oy >= 0 && oy < outH) taps += cOut * k;
                if (oy >= -1 && oy < outH) pairTaps += cOut * k;
            }
        }
        rowStart[h] = taps;
        pairStart[h] = pairTaps;
        if (caller.tapD.length < taps) {
            caller.tapD = new int[taps];
            caller.tapW = new int[taps];
        }
        if (caller.pairD.length < pairTaps) {
            caller.pairD = new int[pairTaps];
            caller.pairW = new int[pairTaps];
        }
        int[] tapD = caller.tapD, tapW = caller.tapW, pairD = caller.pairD, pairW = caller.pairW;
        for (int iy = 0, t = 0, u = 0; iy < h; iy++)
            for (int co = 0; co < cOut; co++)
                for (int ky = 0; ky < k; ky++) {
                    int oy = iy + pad - ky;
                    boolean single = oy >= 0 && oy < outH, pair = oy >= -1 && oy < outH;
                    for (int kx = 0; kx < k; kx++) {
                        int d = (co * rowsP + oy + 1) * wp + pl + pad - kx, wi = ((co * k + ky) * k + kx) * CI;
                        if (single) {
                            tapD[t] = d;
                            tapW[t++] = wi;
                        }
                        if (pair) {
                            pairD[u] = d;
                            pairW[u++] = wi;
                        }
                    }
                }
        if (par == null || par.threads() == 1 || g.n() <= SimdConv.IMAGE_BLOCK) {
            images(0, g.n(), g, dy, dyOff, dx, dxOff, wPack, tapD, tapW, rowStart, pairD, pairW, pairStart, wp);
        } else {
            par.forBlocks(g.n(), SimdConv.IMAGE_BLOCK,
                    (blk, from, to) -> images(from, to, g, dy, dyOff, dx, dxOff, wPack, tapD, tapW, rowStart, pairD, pairW, pairStart, wp));
        }
    }

    private static void images(int from, int to, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment dx, long dxOff,
                               float[] wPack, int[] tapD, int[] tapW, int[] rowStart, int[] pairD, int[] pairW, int[] pairStart,
                               int wp) {
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), pad = g.pad(), h = g.h(), wd = g.w();
        final int outH = g.outH(), outW = g.outW(), pl = k - 1 - pad, rowsP = outH + 2;
        final int blocks = SimdConv.ceilDiv(cIn, CI), blockW = cOut * k * k * CI;
        final boolean pairs = ConvRowTiles.WIDE;
        Scratch s = SCRATCH.get();
        // slack: a tile of the last columns reads up to COLS − 1 past the padded row's end
        int dyLen = cOut * rowsP * wp + COLS;
        if (s.dyP.length < dyLen) s.dyP = new float[dyLen];
        if (s.dxImg.length < g.inputSize()) s.dxImg = new float[g.inputSize()];
        float[] dyP = s.dyP, dxi = s.dxImg, t = s.tile;
        Arrays.fill(dyP, 0, dyLen, 0f);
        for (int img = from; img < to; img++) {
            long dyImg = dyOff + (long) img * g.outputSize();
            for (int co = 0; co < cOut; co++)
                for (int oy = 0; oy < outH; oy++) {
                    MemorySegment.copy(dy, F, (dyImg + ((long) co * outH + oy) * outW) * Float.BYTES, dyP,
                            (co * rowsP + oy + 1) * wp + pl, outW);
                }
            for (int b = 0; b < blocks; b++) {
                int chans = Math.min(CI, cIn - b * CI);
                int iy = 0;
                if (pairs) {
                    // two dx rows per tile (24 accumulators: CPUs with 32 vector registers)
                    for (; iy + 2 <= h; iy += 2) {
                        for (int c0 = 0; c0 < wd; c0 += COLS) {
                            tile2x6x16(pairStart[iy], pairStart[iy + 1], pairD, pairW, c0, b * blockW, wp, dyP, wPack, t);
                            int cols = Math.min(COLS, wd - c0);
                            for (int r = 0; r < 2; r++)
                                for (int j = 0; j < chans; j++) {
                                    System.arraycopy(t, (r * CI + j) * COLS, dxi, ((b * CI + j) * h + iy + r) * wd + c0, cols);
                                }
                        }
                    }
                }
                for (; iy < h; iy++) {
                    int t0 = rowStart[iy], t1 = rowStart[iy + 1];
                    for (int c0 = 0; c0 < wd; c0 += COLS) {
                        tile6x16(t0, t1, tapD, tapW, c0, b * blockW, dyP, wPack, t);
                        int cols = Math.min(COLS, wd - c0);
                        for (int j = 0; j < chans; j++) {
                            System.arraycopy(t, j * COLS, dxi, ((b * CI + j) * h + iy) * wd + c0, cols);
                        }
                    }
                }
            }
            MemorySegment.copy(dxi, 0, dx, F, (dxOff + (long) img * g.inputSize()) * Float.BYTES, g.inputSize());
        }
    }

    /**
     * Two dx rows: t[(r·CI + j)·16 + c] for row r = 0, 1, over the pair's taps [t0, t1); the
     * second row's dy is one padded row further (+ wp).
     */
    static void tile2x6x16(int t0, int t1, int[] tapD, int[] tapW, int c0, int wBase, int wp, float[] dyP, float[] wPack,
                           float[] t) {
        VectorSpecies<Float> s = S8;
        FloatVector a00 = FloatVector.zero(s), a01 = FloatVector.zero(s), b00 = FloatVector.zero(s), b01 = FloatVector.zero(s);
        FloatVector a10 = FloatVector.zero(s), a11 = FloatVector.zero(s), b10 = FloatVector.zero(s), b11 = FloatVector.zero(s);
        FloatVector a20 = FloatVector.zero(s), a21 = FloatVector.zero(s), b20 = FloatVector.zero(s), b21 = FloatVector.zero(s);
        FloatVector a30 = FloatVector.zero(s), a31 = FloatVector.zero(s), b30 = FloatVector.zero(s), b31 = FloatVector.zero(s);
        FloatVector a40 = FloatVector.zero(s), a41 = FloatVector.zero(s), b40 = FloatVector.zero(s), b41 = FloatVector.zero(s);
        FloatVector a50 = FloatVector.zero(s), a51 = FloatVector.zero(s), b50 = FloatVector.zero(s), b51 = FloatVector.zero(s);
        for (int p = t0; p < t1; p++) {
            int d = tapD[p] + c0, wi = wBase + tapW[p];
            FloatVector v0 = FloatVector.fromArray(s, dyP, d), v1 = FloatVector.fromArray(s, dyP, d + 8);
            FloatVector u0 = FloatVector.fromArray(s, dyP, d + wp), u1 = FloatVector.fromArray(s, dyP, d + wp + 8);
            FloatVector c = FloatVector.broadcast(s, wPack[wi]);
            a00 = v0.fma(c, a00); a01 = v1.fma(c, a01); b00 = u0.fma(c, b00); b01 = u1.fma(c, b01);
            c = FloatVector.broadcast(s, wPack[wi + 1]);
            a10 = v0.fma(c, a10); a11 = v1.fma(c, a11); b10 = u0.fma(c, b10); b11 = u1.fma(c, b11);
            c = FloatVector.broadcast(s, wPack[wi + 2]);
            a20 = v0.fma(c, a20); a21 = v1.fma(c, a21); b20 = u0.fma(c, b20); b21 = u1.fma(c, b21);
            c = FloatVector.broadcast(s, wPack[wi + 3]);
            a30 = v0.fma(c, a30); a31 = v1.fma(c, a31); b30 = u0.fma(c, b30); b31 = u1.fma(c, b31);
            c = FloatVector.broadcast(s, wPack[wi + 4]);
            a40 = v0.fma(c, a40); a41 = v1.fma(c, a41); b40 = u0.fma(c, b40); b41 = u1.fma(c, b41);
            c = FloatVector.broadcast(s, wPack[wi + 5]);
            a50 = v0.fma(c, a50); a51 = v1.fma(c, a51); b50 = u0.fma(c, b50); b51 = u1.fma(c, b51);
        }
        a00.intoArray(t, 0); a01.intoArray(t, 8);
        a10.intoArray(t, COLS); a11.intoArray(t, COLS + 8);
        a20.intoArray(t, 2 * COLS); a21.intoArray(t, 2 * COLS + 8);
        a30.intoArray(t, 3 * COLS); a31.intoArray(t, 3 * COLS + 8);
        a40.intoArray(t, 4 * COLS); a41.intoArray(t, 4 * COLS + 8);
        a50.intoArray(t, 5 * COLS); a51.intoArray(t, 5 * COLS + 8);
        int r1 = CI * COLS;
        b00.intoArray(t, r1); b01.intoArray(t, r1 + 8);
        b10.intoArray(t, r1 + COLS); b11.intoArray(t, r1 + COLS + 8);
        b20.intoArray(t, r1 + 2 * COLS); b21.intoArray(t, r1 + 2 * COLS + 8);
        b30.intoArray(t, r1 + 3 * COLS); b31.intoArray(t, r1 + 3 * COLS + 8);
        b40.intoArray(t, r1 + 4 * COLS); b41.intoArray(t, r1 + 4 * COLS + 8);
        b50.intoArray(t, r1 + 5 * COLS); b51.intoArray(t, r1 + 5 * COLS + 8);
    }

    /** t (CI channels × 16 columns) = Σ over taps [t0, t1) of dyP[tapD + c0 + 0..15] ⊗ wPack[wBase + tapW + 0..CI). */
    static void tile6x16(int t0, int t1, int[] tapD, int[] tapW, int c0, int wBase, float[] dyP, float[] wPack, float[] t) {
        VectorSpecies<Float> s = S8;
        FloatVector a00 = FloatVector.zero(s), a01 = FloatVector.zero(s);
        FloatVector a10 = FloatVector.zero(s), a11 = FloatVector.zero(s);
        FloatVector a20 = FloatVector.zero(s), a21 = FloatVector.zero(s);
        FloatVector a30 = FloatVector.zero(s), a31 = FloatVector.zero(s);
        FloatVector a40 = FloatVector.zero(s), a41 = FloatVector.zero(s);
        FloatVector a50 = FloatVector.zero(s), a51 = FloatVector.zero(s);
        for (int p = t0; p < t1; p++) {
            int d = tapD[p] + c0, wi = wBase + tapW[p];
            FloatVector v0 = FloatVector.fromArray(s, dyP, d), v1 = FloatVector.fromArray(s, dyP, d + 8);
            FloatVector c = FloatVector.broadcast(s, wPack[wi]);
            a00 = v0.fma(c, a00); a01 = v1.fma(c, a01);
            c = FloatVector.broadcast(s, wPack[wi + 1]);
            a10 = v0.fma(c, a10); a11 = v1.fma(c, a11);
            c = FloatVector.broadcast(s, wPack[wi + 2]);
            a20 = v0.fma(c, a20); a21 = v1.fma(c, a21);
            c = FloatVector.broadcast(s, wPack[wi + 3]);
            a30 = v0.fma(c, a30); a31 = v1.fma(c, a31);
            c = FloatVector.broadcast(s, wPack[wi + 4]);
            a40 = v0.fma(c, a40); a41 = v1.fma(c, a41);
            c = FloatVector.broadcast(s, wPack[wi + 5]);
            a50 = v0.fma(c, a50); a51 = v1.fma(c, a51);
        }
        a00.intoArray(t, 0); a01.intoArray(t, 8);
        a10.intoArray(t, COLS); a11.intoArray(t, COLS + 8);
        a20.intoArray(t, 2 * COLS); a21.intoArray(t, 2 * COLS + 8);
        a30.intoArray(t, 3 * COLS); a31.intoArray(t, 3 * COLS + 8);
        a40.intoArray(t, 4 * COLS); a41.intoArray(t, 4 * COLS + 8);
        a50.intoArray(t, 5 * COLS); a51.intoArray(t, 5 * COLS + 8);
    }
}
