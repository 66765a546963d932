package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Stride-1 forward convolution with output <b>positions on the tile's row side</b> and output
 * channels on the vector side: y[pos, c0..c0+16) = Σ_p xp[pos + off[p]] · wᵀ[p, c0..c0+16).
 * For one tile the R positions are R consecutive output columns of one output row, so the
 * broadcast A values of tap p are xp[base + off[p] + 0..R−1]: consecutive, whose range checks
 * C2 merges into two. Compared with the padded-row kernel of {@link SimdConv} (positions on the
 * vector side) no junk columns past a row's end are computed and 16 output channels fill the
 * tile exactly: LeNet conv2 (6→16, 10×10 output) uses 83% of its FMAs instead of 62%.
 *
 * <p>Tiles, all of two 8-lane vectors (16 channels) per position: with {@link #WIDE} (32 vector
 * registers) 12 or 10 positions, else 6 or 5; per geometry the one that drops fewer columns
 * (LeNet conv2's 10-column rows: 10 or 5, nothing dropped). A row of
 * outW columns is cut into chunks of R starting at 0, R, 2R, ...; the last chunk starts at
 * outW − R (it overlaps the previous one, recomputing identical values) or, when outW < R, its
 * columns past outW are computed from the zero slack and dropped.
 *
 * <p>Vocabulary as in {@link SimdConv}: xp: one image padded to (cIn, Hp, Wp) in heap scratch;
 * off[p] = ci·Hp·Wp + ky·Wp + kx. Each block of images writes disjoint outputs, and every
 * output is one FMA chain over p = 0..K−1 whatever tile computes it, so results do not depend
 * on the thread count.
 */
final class ConvRowTiles {

    /**
     * Big tiles (12 or 10 positions, 24 or 20 accumulators) where the CPU has 32 vector
     * registers (AVX-512, even though the tiles use 256-bit vectors); {@code
     * -Dbnn4j.conv.tiles=small} forces the 16-register ones. Measured on the project's Zen 4
     * machine, LeNet conv2: 10 × 16 tile 88 GFLOP/s, 5 × 16 tile 80, a 512-bit 10-position ×
     * one-vector tile 61 (docs/PERFORMANCE.md).
     */
    static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && !"small".equals(System.getProperty("bnn4j.conv.tiles", "").trim());
    static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** Output channels per tile. */
    static final int CB = 16;
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvRowTiles() {}

    /** Positions per tile: 12 or 10 (wide), 6 or 5 (narrow), whichever computes fewer dropped columns. */
    static int rowsPerTile(ConvGeometry g, boolean wide) {
        int big = wide ? 12 : 6, small = wide ? 10 : 5;
        return columnFraction(g.outW(), small) > columnFraction(g.outW(), big) ? small : big;
    }

    /** Kept / computed columns when a row of outW is cut into chunks of r. */
    private static double columnFraction(int outW, int r) {
        return (double) outW / (Math.max(1, SimdConv.ceilDiv(outW, r)) * r);
    }

    /** Fraction of this kernel's FMAs that produce a kept output (for choosing a strategy). */
    static double usefulFraction(ConvGeometry g, boolean wide) {
        return columnFraction(g.outW(), rowsPerTile(g, wide)) * g.cOut() / SimdConv.roundUp(g.cOut(), CB);
    }

    static final class Scratch {
        float[] xp = new float[0], yImg = new float[0];
        final float[] tile = new float[12 * CB];
        // the caller's packed weights and tap offsets, grown once: a batch-1 prediction calls this
        // per sample, and allocating them per call cost ~10 KB a call
        float[] wPack = new float[0];
        int[] off = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * y = conv(x, w), stride 1. w: (cOut, cIn, k, k) in heap. Packs wᵀ as (panels, K, 16) with
     * zero channels past cOut; the packed weights and offsets are read-only while blocks run.
     */
    static void forward(Parallel par, ConvGeometry g, MemorySegment x, long xOff, float[] w,
                        MemorySegment y, long yOff, boolean wide) {
        if (g.stride() != 1) throw new IllegalArgumentException("row tiles need stride 1: " + g);
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int outH = g.outH(), outW = g.outW(), pp = outH * outW;
        final int panels = SimdConv.ceilDiv(cOut, CB);
        final int r = rowsPerTile(g, wide);
        Scratch callerScratch = SCRATCH.get();
        if (callerScratch.wPack.length < panels * kk * CB) callerScratch.wPack = new float[panels * kk * CB];
        if (callerScratch.off.length < kk) callerScratch.off = new int[kk];
        final float[] wPack = callerScratch.wPack;
        for (int pn = 0; pn < panels; pn++)
            for (int p = 0; p < kk; p++)
                for (int c = 0; c < CB; c++) {
                    int co = pn * CB + c;
                    wPack[(pn * kk + p) * CB + c] = co < cOut ? w[co * kk + p] : 0f;
                }
        final int[] off = callerScratch.off;
        for (int ci = 0, p = 0; ci < cIn; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) off[p++] = ci * hp * wp + ky * wp + kx;
        if (par == null || par.threads() == 1 || g.n() <= SimdConv.IMAGE_BLOCK) {
            // One block: run it here, without making a capturing lambda (a batch-1 prediction calls
            // this for every Monte-Carlo sample; the lambda was its last per-call allocation).
            images(0, g.n(), g, x, xOff, y, yOff, wPack, off, r);
        } else {
            par.forBlocks(g.n(), SimdConv.IMAGE_BLOCK, (blk, from, to) -> images(from, to, g, x, xOff, y, yOff, wPack, off, r));
        }
    }

    /** Images [from, to) of the batch; every image is computed the same way, whatever the split. */
    private static void images(int from, int to, ConvGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               float[] wPack, int[] off, int r) {
        final int cIn = g.cIn(), cOut = g.cOut(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int outH = g.outH(), outW = g.outW(), pp = outH * outW;
        final int panels = SimdConv.ceilDiv(cOut, CB);
            Scratch s = SCRATCH.get();
            // Slack: a chunk of r columns may read r − 1 past the last padded element.
            int xpLen = cIn * hp * wp + r;
            if (s.xp.length < xpLen) s.xp = new float[xpLen];
            if (s.yImg.length < cOut * pp) s.yImg = new float[cOut * pp];
            float[] xp = s.xp, yi = s.yImg, t = s.tile;
            Arrays.fill(xp, 0, xpLen, 0f);
            for (int img = from; img < to; img++) {
                SimdConv.loadPadded(g, x, xOff + (long) img * g.inputSize(), xp, hp, wp);
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox0 = 0; ox0 < outW; ox0 += r) {
                        int start = outW >= r ? Math.min(ox0, outW - r) : 0;
                        int cols = Math.min(r, outW - start);
                        int base = oy * wp + start;
                        for (int pn = 0; pn < panels; pn++) {
                            int ai = pn * kk * CB;
                            switch (r) {
                                case 12 -> tile12x16Narrow(kk, wPack, ai, xp, base, off, t);
                                case 10 -> tile10x16Narrow(kk, wPack, ai, xp, base, off, t);
                                case 6 -> tile6x16(kk, wPack, ai, xp, base, off, t);
                                default -> tile5x16(kk, wPack, ai, xp, base, off, t);
                            }
                            int chans = Math.min(CB, cOut - pn * CB);
                            int yBase = (pn * CB) * pp + oy * outW + start;
                            for (int c = 0; c < chans; c++) {
                                int yc = yBase + c * pp;
                                for (int j = 0; j < cols; j++) yi[yc + j] = t[j * CB + c];
                            }
                        }
                    }
                }
                MemorySegment.copy(yi, 0, y, F, (yOff + (long) img * g.outputSize()) * Float.BYTES, cOut * pp);
            }
    }

    /** t (5 positions × 16 channels): as {@link #tile6x16} for 5- and 10-column rows. */
    static void tile5x16(int kk, float[] a, int ai, float[] xp, int base, int[] off, float[] t) {
        VectorSpecies<Float> s = S8;
        final int h = 8;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        for (int p = 0; p < kk; p++) {
            int o = base + off[p], pa = ai + p * CB;
            FloatVector b0 = FloatVector.fromArray(s, a, pa);
            FloatVector b1 = FloatVector.fromArray(s, a, pa + h);
            FloatVector v = FloatVector.broadcast(s, xp[o]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(s, xp[o + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(s, xp[o + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(s, xp[o + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(s, xp[o + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
        }
        c00.intoArray(t, 0 * CB); c01.intoArray(t, 0 * CB + h);
        c10.intoArray(t, 1 * CB); c11.intoArray(t, 1 * CB + h);
        c20.intoArray(t, 2 * CB); c21.intoArray(t, 2 * CB + h);
        c30.intoArray(t, 3 * CB); c31.intoArray(t, 3 * CB + h);
        c40.intoArray(t, 4 * CB); c41.intoArray(t, 4 * CB + h);
    }

    /** t (12 positions × 16 channels) with two 256-bit vectors per row: 24 accumulators, for CPUs with 32 vector registers. */
    static void tile12x16Narrow(int kk, float[] a, int ai, float[] xp, int base, int[] off, float[] t) {
        VectorSpecies<Float> s = S8;
        final int h = 8;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        FloatVector c50 = FloatVector.zero(s), c51 = FloatVector.zero(s);
        FloatVector c60 = FloatVector.zero(s), c61 = FloatVector.zero(s);
        FloatVector c70 = FloatVector.zero(s), c71 = FloatVector.zero(s);
        FloatVector c80 = FloatVector.zero(s), c81 = FloatVector.zero(s);
        FloatVector c90 = FloatVector.zero(s), c91 = FloatVector.zero(s);
        FloatVector c100 = FloatVector.zero(s), c101 = FloatVector.zero(s);
        FloatVector c110 = FloatVector.zero(s), c111 = FloatVector.zero(s);
        for (int p = 0; p < kk; p++) {
            int o = base + off[p], pa = ai + p * CB;
            FloatVector b0 = FloatVector.fromArray(s, a, pa);
            FloatVector b1 = FloatVector.fromArray(s, a, pa + h);
            FloatVector v = FloatVector.broadcast(s, xp[o]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(s, xp[o + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(s, xp[o + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(s, xp[o + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(s, xp[o + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(s, xp[o + 5]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(s, xp[o + 6]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(s, xp[o + 7]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(s, xp[o + 8]);
            c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(s, xp[o + 9]);
            c90 = v.fma(b0, c90); c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(s, xp[o + 10]);
            c100 = v.fma(b0, c100); c101 = v.fma(b1, c101);
            v = FloatVector.broadcast(s, xp[o + 11]);
            c110 = v.fma(b0, c110); c111 = v.fma(b1, c111);
        }
        c00.intoArray(t, 0 * CB); c01.intoArray(t, 0 * CB + h);
        c10.intoArray(t, 1 * CB); c11.intoArray(t, 1 * CB + h);
        c20.intoArray(t, 2 * CB); c21.intoArray(t, 2 * CB + h);
        c30.intoArray(t, 3 * CB); c31.intoArray(t, 3 * CB + h);
        c40.intoArray(t, 4 * CB); c41.intoArray(t, 4 * CB + h);
        c50.intoArray(t, 5 * CB); c51.intoArray(t, 5 * CB + h);
        c60.intoArray(t, 6 * CB); c61.intoArray(t, 6 * CB + h);
        c70.intoArray(t, 7 * CB); c71.intoArray(t, 7 * CB + h);
        c80.intoArray(t, 8 * CB); c81.intoArray(t, 8 * CB + h);
        c90.intoArray(t, 9 * CB); c91.intoArray(t, 9 * CB + h);
        c100.intoArray(t, 10 * CB); c101.intoArray(t, 10 * CB + h);
        c110.intoArray(t, 11 * CB); c111.intoArray(t, 11 * CB + h);
    }

    /** t (10 positions × 16 channels) with two 256-bit vectors per row: 20 accumulators, for CPUs with 32 vector registers. */
    static void tile10x16Narrow(int kk, float[] a, int ai, float[] xp, int base, int[] off, float[] t) {
        VectorSpecies<Float> s = S8;
        final int h = 8;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        FloatVector c50 = FloatVector.zero(s), c51 = FloatVector.zero(s);
        FloatVector c60 = FloatVector.zero(s), c61 = FloatVector.zero(s);
        FloatVector c70 = FloatVector.zero(s), c71 = FloatVector.zero(s);
        FloatVector c80 = FloatVector.zero(s), c81 = FloatVector.zero(s);
        FloatVector c90 = FloatVector.zero(s), c91 = FloatVector.zero(s);
        for (int p = 0; p < kk; p++) {
            int o = base + off[p], pa = ai + p * CB;
            FloatVector b0 = FloatVector.fromArray(s, a, pa);
            FloatVector b1 = FloatVector.fromArray(s, a, pa + h);
            FloatVector v = FloatVector.broadcast(s, xp[o]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(s, xp[o + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(s, xp[o + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(s, xp[o + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(s, xp[o + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(s, xp[o + 5]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(s, xp[o + 6]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(s, xp[o + 7]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(s, xp[o + 8]);
            c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(s, xp[o + 9]);
            c90 = v.fma(b0, c90); c91 = v.fma(b1, c91);
        }
        c00.intoArray(t, 0 * CB); c01.intoArray(t, 0 * CB + h);
        c10.intoArray(t, 1 * CB); c11.intoArray(t, 1 * CB + h);
        c20.intoArray(t, 2 * CB); c21.intoArray(t, 2 * CB + h);
        c30.intoArray(t, 3 * CB); c31.intoArray(t, 3 * CB + h);
        c40.intoArray(t, 4 * CB); c41.intoArray(t, 4 * CB + h);
        c50.intoArray(t, 5 * CB); c51.intoArray(t, 5 * CB + h);
        c60.intoArray(t, 6 * CB); c61.intoArray(t, 6 * CB + h);
        c70.intoArray(t, 7 * CB); c71.intoArray(t, 7 * CB + h);
        c80.intoArray(t, 8 * CB); c81.intoArray(t, 8 * CB + h);
        c90.intoArray(t, 9 * CB); c91.intoArray(t, 9 * CB + h);
    }

    /** t (6 positions × 16 channels) = Σ_p xp[base + off[p] + 0..5] ⊗ wᵀ[p, 0..16); two 256-bit vectors. */
    static void tile6x16(int kk, float[] a, int ai, float[] xp, int base, int[] off, float[] t) {
        VectorSpecies<Float> s = S8;
        final int h = 8;
        FloatVector c00 = FloatVector.zero(s), c01 = FloatVector.zero(s);
        FloatVector c10 = FloatVector.zero(s), c11 = FloatVector.zero(s);
        FloatVector c20 = FloatVector.zero(s), c21 = FloatVector.zero(s);
        FloatVector c30 = FloatVector.zero(s), c31 = FloatVector.zero(s);
        FloatVector c40 = FloatVector.zero(s), c41 = FloatVector.zero(s);
        FloatVector c50 = FloatVector.zero(s), c51 = FloatVector.zero(s);
        for (int p = 0; p < kk; p++) {
            int o = base + off[p], pa = ai + p * CB;
            FloatVector b0 = FloatVector.fromArray(s, a, pa);
            FloatVector b1 = FloatVector.fromArray(s, a, pa + h);
            FloatVector v = FloatVector.broadcast(s, xp[o]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(s, xp[o + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(s, xp[o + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(s, xp[o + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(s, xp[o + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(s, xp[o + 5]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        c00.intoArray(t, 0); c01.intoArray(t, h);
        c10.intoArray(t, CB); c11.intoArray(t, CB + h);
        c20.intoArray(t, 2 * CB); c21.intoArray(t, 2 * CB + h);
        c30.intoArray(t, 3 * CB); c31.intoArray(t, 3 * CB + h);
        c40.intoArray(t, 4 * CB); c41.intoArray(t, 4 * CB + h);
        c50.intoArray(t, 5 * CB); c51.intoArray(t, 5 * CB + h);
    }
}
