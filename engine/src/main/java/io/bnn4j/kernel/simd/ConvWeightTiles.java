package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.bnn4j.kernel.simd.SimdConv.*;

/**
 * The weight gradient of a convolution with positions as the reduction: dWᵀ (K × cOut) = Σ over
 * images and positions of xp[pos + off[p]] ⊗ dyᵀ[pos, co], a tap × channel FMA tile (6 taps ×
 * 16 channels, or 12 × 8 when cOut ≤ 8; for 5 × 5 kernels whole kernel rows of 5 or 10 taps)
 * whose A values are broadcast straight from the padded image. Any stride, no im2col, no junk
 * positions. Blocks of {@link SimdConv#IMAGE_BLOCK} images add their partials in block order:
 * the same bits for any thread count. ({@link ConvLaneWeights} is the other strategy, for few
 * output channels; {@link SimdConv#backwardWeights} picks one.)
 */
final class ConvWeightTiles {

    private ConvWeightTiles() {}

    /** Fraction of the tap × channel tiles' FMAs that add a real product. */
    static double usefulFraction(ConvGeometry g) {
        int cOut = g.cOut(), kk = g.patchSize();
        if (cOut <= L) return (double) cOut / L * kk / roundUp(kk, 2 * MR);
        // 5 × 5 kernels use whole kernel rows as tiles: no padded taps.
        return (double) cOut / roundUp(cOut, NR) * (g.k() == 5 ? 1 : (double) kk / roundUp(kk, MR));
    }

    /** The tap × channel tile strategy (positions as the reduction), any stride. */
    static void backwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                     MemorySegment dw, long dwOff) {
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int pp = g.outH() * g.outW();
        // Channel width of dyᵀ rows: one vector when cOut fits, else whole 16-channel panels.
        final int cw = cOut <= L ? L : roundUp(cOut, NR);
        final int taps = cw == L ? 2 * MR : MR;           // taps per tile: 12 × 8 or 6 × 16
        final int tapsPad = roundUp(kk, taps);
        Scratch caller = SCRATCH.get();
        int[] off0 = tapOffsets(caller, cIn, k, hp, wp);
        // Taps past K read offset 0 (a valid index) and are dropped.
        final int[] off = new int[tapsPad];
        System.arraycopy(off0, 0, off, 0, kk);
        caller.acc = grow(caller.acc, tapsPad * cw);
        final float[] acc = caller.acc;
        final AtomicInteger turn = new AtomicInteger();
        final AtomicBoolean failed = new AtomicBoolean();
        par.forBlocks(g.n(), IMAGE_BLOCK, (blk, from, to) -> {
            Scratch s = SCRATCH.get();
            boolean ok = false;
            try {
                int xpLen = cIn * hp * wp;
                s.xp = grow(s.xp, xpLen);
                s.dyT = grow(s.dyT, pp * cw);
                s.partial = grow(s.partial, tapsPad * cw);
                float[] xp = s.xp, dyT = s.dyT, part = s.partial, t = s.tile;
                Arrays.fill(xp, 0, xpLen, 0f);
                Arrays.fill(dyT, 0, pp * cw, 0f);
                Arrays.fill(part, 0, tapsPad * cw, 0f);
                for (int img = from; img < to; img++) {
                    loadPadded(g, x, xOff + (long) img * g.inputSize(), xp, hp, wp);
                    long dyImg = dyOff + (long) img * g.outputSize();
                    // dyᵀ (P × cw) from one bulk copy of dy_img (cOut × P).
                    float[] dyImgHeap = stage(cOut * pp);
                    MemorySegment.copy(dy, F, dyImg * Float.BYTES, dyImgHeap, 0, cOut * pp);
                    for (int co = 0; co < cOut; co++) {
                        for (int q = 0; q < pp; q++) dyT[q * cw + co] = dyImgHeap[co * pp + q];
                    }
                    for (int c0 = 0; c0 < cw; c0 += (cw == L ? L : NR)) {
                        if (cw != L && k == 5) {
                            // Two (ci, ky) kernel rows (10 taps) per tile with 32 vector
                            // registers, else one (5 consecutive taps).
                            int p0 = 0;
                            if (ConvRowTiles.WIDE) {
                                for (; p0 + 10 <= kk; p0 += 10) {
                                    tile10x16(g, wp, xp, off[p0], off[p0 + 5], dyT, cw, c0, t);
                                    for (int r = 0; r < 10; r++) addInto(part, (p0 + r) * cw + c0, t, r * NR, NR);
                                }
                            }
                            for (; p0 < kk; p0 += 5) {
                                tile5x16(g, wp, xp, off[p0], dyT, cw, c0, t);
                                for (int r = 0; r < 5; r++) addInto(part, (p0 + r) * cw + c0, t, r * NR, NR);
                            }
                            continue;
                        }
                        for (int p0 = 0; p0 < tapsPad; p0 += taps) {
                            if (cw == L) {
                                tile12x8(g, wp, xp, off, p0, dyT, t);
                                for (int r = 0; r < taps; r++) {
                                    addInto(part, (p0 + r) * cw, t, r * L, L);
                                }
                            } else {
                                tile6x16(g, wp, xp, off, p0, dyT, cw, c0, t);
                                for (int r = 0; r < taps; r++) {
                                    addInto(part, (p0 + r) * cw + c0, t, r * NR, NR);
                                }
                            }
                        }
                    }
                }
                ok = true;
            } finally {
                // Add this block's partial once every earlier block has added its own. A failure
                // releases every waiter (the call fails anyway), so nothing spins forever.
                if (!ok) failed.set(true);
                for (int spins = 0; turn.get() != blk && !failed.get(); spins++) {
                    Thread.onSpinWait();
                    if (spins > 1000) Thread.yield();
                }
                if (ok && !failed.get()) {
                    if (blk == 0) System.arraycopy(s.partial, 0, acc, 0, tapsPad * cw);
                    else addInto(acc, 0, s.partial, 0, tapsPad * cw);
                }
                turn.set(blk + 1);
            }
        });
        // dw[co][p] = accᵀ
        for (int co = 0; co < cOut; co++) {
            for (int p = 0; p < kk; p++) dw.setAtIndex(F, dwOff + (long) co * kk + p, acc[p * cw + co]);
        }
    }


    /**
     * t (10 taps × 16 channels) = Σ_pos xp[pos + oa + 0..4 | pos + ob + 0..4] ⊗ dyᵀ[pos, c0 .. c0+16):
     * two kernel rows of a 5 × 5 kernel, 20 accumulators (CPUs with 32 vector registers).
     */
    private static void tile10x16(ConvGeometry g, int wp, float[] xp, int oa, int ob, float[] dyT, int cw, int c0,
                                        float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        int st = g.stride(), outH = g.outH(), outW = g.outW();
        for (int oy = 0; oy < outH; oy++) {
            int rowPos = oy * st * wp, rowQ = oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                int pa = rowPos + ox * st + oa, pb = rowPos + ox * st + ob, bi = (rowQ + ox) * cw + c0;
                FloatVector b0 = FloatVector.fromArray(S, dyT, bi);
                FloatVector b1 = FloatVector.fromArray(S, dyT, bi + L);
                FloatVector v = FloatVector.broadcast(S, xp[pa]);
                c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(S, xp[pa + 1]);
                c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(S, xp[pa + 2]);
                c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(S, xp[pa + 3]);
                c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(S, xp[pa + 4]);
                c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(S, xp[pb]);
                c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
                v = FloatVector.broadcast(S, xp[pb + 1]);
                c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
                v = FloatVector.broadcast(S, xp[pb + 2]);
                c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
                v = FloatVector.broadcast(S, xp[pb + 3]);
                c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
                v = FloatVector.broadcast(S, xp[pb + 4]);
                c90 = v.fma(b0, c90); c91 = v.fma(b1, c91);
            }
        }
        c00.intoArray(t, 0 * NR); c01.intoArray(t, 0 * NR + L);
        c10.intoArray(t, 1 * NR); c11.intoArray(t, 1 * NR + L);
        c20.intoArray(t, 2 * NR); c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR); c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR); c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR); c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR); c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR); c71.intoArray(t, 7 * NR + L);
        c80.intoArray(t, 8 * NR); c81.intoArray(t, 8 * NR + L);
        c90.intoArray(t, 9 * NR); c91.intoArray(t, 9 * NR + L);
    }

    /**
     * t (5 taps × 16 channels) = Σ_pos xp[pos + o + 0..4] ⊗ dyᵀ[pos, c0 .. c0+16): the 5 taps
     * of one (ci, ky) row of a 5 × 5 kernel, whose consecutive offsets need two range checks.
     */
    private static void tile5x16(ConvGeometry g, int wp, float[] xp, int o, float[] dyT, int cw, int c0,
                                       float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        int st = g.stride(), outH = g.outH(), outW = g.outW();
        for (int oy = 0; oy < outH; oy++) {
            int rowPos = oy * st * wp + o, rowQ = oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                int pos = rowPos + ox * st, bi = (rowQ + ox) * cw + c0;
                FloatVector b0 = FloatVector.fromArray(S, dyT, bi);
                FloatVector b1 = FloatVector.fromArray(S, dyT, bi + L);
                FloatVector v = FloatVector.broadcast(S, xp[pos]);
                c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(S, xp[pos + 1]);
                c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(S, xp[pos + 2]);
                c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(S, xp[pos + 3]);
                c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(S, xp[pos + 4]);
                c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            }
        }
        c00.intoArray(t, 0); c01.intoArray(t, L);
        c10.intoArray(t, NR); c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR); c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR); c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR); c41.intoArray(t, 4 * NR + L);
    }

    /** t (6 taps × 16 channels) = Σ_pos xp[pos + off[p0 + r]] ⊗ dyᵀ[pos, c0 .. c0+16]. */
    private static void tile6x16(ConvGeometry g, int wp, float[] xp, int[] off, int p0, float[] dyT, int cw, int c0,
                                       float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int o0 = off[p0], o1 = off[p0 + 1], o2 = off[p0 + 2], o3 = off[p0 + 3], o4 = off[p0 + 4], o5 = off[p0 + 5];
        int st = g.stride(), outH = g.outH(), outW = g.outW();
        for (int oy = 0; oy < outH; oy++) {
            int rowPos = oy * st * wp, rowQ = oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                int pos = rowPos + ox * st, bi = (rowQ + ox) * cw + c0;
                FloatVector b0 = FloatVector.fromArray(S, dyT, bi);
                FloatVector b1 = FloatVector.fromArray(S, dyT, bi + L);
                FloatVector v = FloatVector.broadcast(S, xp[pos + o0]);
                c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(S, xp[pos + o1]);
                c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(S, xp[pos + o2]);
                c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(S, xp[pos + o3]);
                c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(S, xp[pos + o4]);
                c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(S, xp[pos + o5]);
                c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            }
        }
        c00.intoArray(t, 0); c01.intoArray(t, L);
        c10.intoArray(t, NR); c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR); c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR); c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR); c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR); c51.intoArray(t, 5 * NR + L);
    }

    /** t (12 taps × 8 channels) = Σ_pos xp[pos + off[p0 + r]] ⊗ dyᵀ[pos, 0..8], for cOut ≤ 8. */
    private static void tile12x8(ConvGeometry g, int wp, float[] xp, int[] off, int p0, float[] dyT, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S), c7 = FloatVector.zero(S), c8 = FloatVector.zero(S);
        FloatVector c9 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        int o0 = off[p0], o1 = off[p0 + 1], o2 = off[p0 + 2], o3 = off[p0 + 3], o4 = off[p0 + 4], o5 = off[p0 + 5];
        int o6 = off[p0 + 6], o7 = off[p0 + 7], o8 = off[p0 + 8], o9 = off[p0 + 9], o10 = off[p0 + 10], o11 = off[p0 + 11];
        int st = g.stride(), outH = g.outH(), outW = g.outW();
        for (int oy = 0; oy < outH; oy++) {
            int rowPos = oy * st * wp, rowQ = oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                int pos = rowPos + ox * st;
                FloatVector b = FloatVector.fromArray(S, dyT, (rowQ + ox) * L);
                c0 = FloatVector.broadcast(S, xp[pos + o0]).fma(b, c0);
                c1 = FloatVector.broadcast(S, xp[pos + o1]).fma(b, c1);
                c2 = FloatVector.broadcast(S, xp[pos + o2]).fma(b, c2);
                c3 = FloatVector.broadcast(S, xp[pos + o3]).fma(b, c3);
                c4 = FloatVector.broadcast(S, xp[pos + o4]).fma(b, c4);
                c5 = FloatVector.broadcast(S, xp[pos + o5]).fma(b, c5);
                c6 = FloatVector.broadcast(S, xp[pos + o6]).fma(b, c6);
                c7 = FloatVector.broadcast(S, xp[pos + o7]).fma(b, c7);
                c8 = FloatVector.broadcast(S, xp[pos + o8]).fma(b, c8);
                c9 = FloatVector.broadcast(S, xp[pos + o9]).fma(b, c9);
                c10 = FloatVector.broadcast(S, xp[pos + o10]).fma(b, c10);
                c11 = FloatVector.broadcast(S, xp[pos + o11]).fma(b, c11);
            }
        }
        c0.intoArray(t, 0); c1.intoArray(t, L); c2.intoArray(t, 2 * L); c3.intoArray(t, 3 * L);
        c4.intoArray(t, 4 * L); c5.intoArray(t, 5 * L); c6.intoArray(t, 6 * L); c7.intoArray(t, 7 * L);
        c8.intoArray(t, 8 * L); c9.intoArray(t, 9 * L); c10.intoArray(t, 10 * L); c11.intoArray(t, 11 * L);
    }
}
