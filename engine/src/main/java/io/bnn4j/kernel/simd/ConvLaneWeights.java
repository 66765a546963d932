package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stride-1 weight gradient with output <b>positions along the vector lanes</b>, for layers
 * with few output channels (LeNet conv1: cOut = 6, K = 25, 28×28 output):
 * dw[co, p] = Σ_img Σ_(oy, ox) xp[oy·Wp + ox + off[p]] · dy[co, oy, ox].
 * A tile is 2 taps × 6 channels = 12 accumulator vectors; one step loads 8 consecutive output
 * columns of x (per tap, unaligned: xp + off[p] + ox) and of dy (per channel), then does 12
 * FMAs. The last vector of a row is blended (x and dy lanes past outW set to 0, so non-finite
 * values outside the window never enter a sum). Useful work for conv1: 28/32 lanes × 25/26 taps
 * = 84%, against 52% for the 12-tap × 8-channel tile of {@link SimdConv} (6 of 8 lanes, 25 of
 * 36 taps).
 *
 * <p>Each lane accumulates its own partial sum across the images of a block; blocks of
 * {@link SimdConv#IMAGE_BLOCK} images are added in block order and the lanes are summed last,
 * in lane order, so the result is bit-identical for any thread count.
 */
final class ConvLaneWeights {

    /** The direct kernel's vectors ({@link SimdConv#DS}): 512 bits on CPUs with 32 vector registers, for the same reason (few taps per tile). */
    static final VectorSpecies<Float> S = SimdConv.DS;
    static final int L = S.length();
    /** Channels and taps per tile. */
    static final int CH = 6, TAPS = 2;
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private ConvLaneWeights() {}

    /** Fraction of this kernel's FMAs that add a real product (for choosing a strategy). */
    static double usefulFraction(ConvGeometry g) {
        if (g.stride() != 1) return 0;
        int kk = g.patchSize();
        return (double) g.outW() / SimdConv.roundUp(g.outW(), L) * kk / SimdConv.roundUp(kk, TAPS)
                * g.cOut() / SimdConv.roundUp(g.cOut(), CH);
    }

    static final class Scratch {
        float[] xp = new float[0], dy = new float[0], part = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void backwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                MemorySegment dw, long dwOff) {
        if (g.stride() != 1) throw new IllegalArgumentException("lane weights need stride 1: " + g);
        final int cIn = g.cIn(), cOut = g.cOut(), k = g.k(), kk = g.patchSize();
        final int hp = g.h() + 2 * g.pad(), wp = g.w() + 2 * g.pad();
        final int outH = g.outH(), outW = g.outW(), pp = outH * outW;
        final int groups = SimdConv.ceilDiv(cOut, CH), tapsPad = SimdConv.roundUp(kk, TAPS);
        // Taps past K read offset 0 (a valid index); their sums are dropped.
        final int[] off = new int[tapsPad];
        for (int ci = 0, p = 0; ci < cIn; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) off[p++] = ci * hp * wp + ky * wp + kx;
        // acc: (groups, tapsPad, CH, L) lane partials.
        final int accLen = groups * tapsPad * CH * L;
        final float[] acc = new float[accLen];
        final VectorMask<Float> junk = S.indexInRange(0, outW % L).not();
        final AtomicInteger turn = new AtomicInteger();
        final AtomicBoolean failed = new AtomicBoolean();
        par.forBlocks(g.n(), SimdConv.IMAGE_BLOCK, (blk, from, to) -> {
            Scratch s = SCRATCH.get();
            boolean ok = false;
            try {
                int xpLen = cIn * hp * wp + L, dyLen = groups * CH * pp + L;
                if (s.xp.length < xpLen) s.xp = new float[xpLen];
                if (s.dy.length < dyLen) s.dy = new float[dyLen];
                if (s.part.length < accLen) s.part = new float[accLen];
                float[] xp = s.xp, dys = s.dy, part = s.part;
                Arrays.fill(xp, 0, xpLen, 0f);
                Arrays.fill(dys, 0, dyLen, 0f);
                Arrays.fill(part, 0, accLen, 0f);
                for (int img = from; img < to; img++) {
                    SimdConv.loadPadded(g, x, xOff + (long) img * g.inputSize(), xp, hp, wp);
                    MemorySegment.copy(dy, F, (dyOff + (long) img * g.outputSize()) * Float.BYTES, dys, 0, cOut * pp);
                    for (int gi = 0; gi < groups; gi++) {
                        for (int p = 0; p < tapsPad; p += TAPS) {
                            tile2x6(xp, wp, off[p], off[p + 1], dys, gi * CH * pp, pp, outH, outW, junk,
                                    part, (gi * tapsPad + p) * CH * L);
                        }
                    }
                }
                ok = true;
            } finally {
                // Add this block's partial once every earlier block has added its own; a failure
                // releases every waiter (the call fails anyway).
                if (!ok) failed.set(true);
                for (int spins = 0; turn.get() != blk && !failed.get(); spins++) {
                    Thread.onSpinWait();
                    if (spins > 1000) Thread.yield();
                }
                if (ok && !failed.get()) SimdConv.addInto(acc, 0, s.part, 0, accLen);
                turn.set(blk + 1);
            }
        });
        // dw[co][p] = Σ_lane acc[group(co), p, co mod CH, lane], lanes in order.
        for (int co = 0; co < cOut; co++) {
            int gi = co / CH, c = co % CH;
            for (int p = 0; p < kk; p++) {
                int a = ((gi * tapsPad + p) * CH + c) * L;
                float sum = 0f;
                for (int lane = 0; lane < L; lane++) sum += acc[a + lane];
                dw.setAtIndex(F, dwOff + (long) co * kk + p, sum);
            }
        }
    }

    /**
     * part[(t·CH + c)·L + lane] += Σ over positions of lane: xp[pos + o_t] · dy[c, pos], for
     * taps t = 0, 1 (offsets o0, o1) and channels c = 0..5 (planes db + c·pp of dys).
     */
    private static void tile2x6(float[] xp, int wp, int o0, int o1, float[] dys, int db, int pp, int outH, int outW,
                                VectorMask<Float> junk, float[] part, int pi) {
        FloatVector a00 = FloatVector.fromArray(S, part, pi), a01 = FloatVector.fromArray(S, part, pi + L);
        FloatVector a02 = FloatVector.fromArray(S, part, pi + 2 * L), a03 = FloatVector.fromArray(S, part, pi + 3 * L);
        FloatVector a04 = FloatVector.fromArray(S, part, pi + 4 * L), a05 = FloatVector.fromArray(S, part, pi + 5 * L);
        FloatVector a10 = FloatVector.fromArray(S, part, pi + 6 * L), a11 = FloatVector.fromArray(S, part, pi + 7 * L);
        FloatVector a12 = FloatVector.fromArray(S, part, pi + 8 * L), a13 = FloatVector.fromArray(S, part, pi + 9 * L);
        FloatVector a14 = FloatVector.fromArray(S, part, pi + 10 * L), a15 = FloatVector.fromArray(S, part, pi + 11 * L);
        int full = outW - outW % L;
        for (int oy = 0; oy < outH; oy++) {
            int xr = oy * wp, dr = db + oy * outW;
            for (int ox = 0; ox < full; ox += L) {
                FloatVector x0 = FloatVector.fromArray(S, xp, xr + ox + o0);
                FloatVector x1 = FloatVector.fromArray(S, xp, xr + ox + o1);
                int d = dr + ox;
                FloatVector v = FloatVector.fromArray(S, dys, d);
                a00 = x0.fma(v, a00); a10 = x1.fma(v, a10);
                v = FloatVector.fromArray(S, dys, d + pp);
                a01 = x0.fma(v, a01); a11 = x1.fma(v, a11);
                v = FloatVector.fromArray(S, dys, d + 2 * pp);
                a02 = x0.fma(v, a02); a12 = x1.fma(v, a12);
                v = FloatVector.fromArray(S, dys, d + 3 * pp);
                a03 = x0.fma(v, a03); a13 = x1.fma(v, a13);
                v = FloatVector.fromArray(S, dys, d + 4 * pp);
                a04 = x0.fma(v, a04); a14 = x1.fma(v, a14);
                v = FloatVector.fromArray(S, dys, d + 5 * pp);
                a05 = x0.fma(v, a05); a15 = x1.fma(v, a15);
            }
            if (full < outW) {
                // Lanes past outW: x and dy both forced to 0 (a product of two zeros), so values
                // outside the window, even non-finite ones, never enter a sum.
                int ox = full;
                FloatVector x0 = FloatVector.fromArray(S, xp, xr + ox + o0).blend(0f, junk);
                FloatVector x1 = FloatVector.fromArray(S, xp, xr + ox + o1).blend(0f, junk);
                int d = dr + ox;
                FloatVector v = FloatVector.fromArray(S, dys, d).blend(0f, junk);
                a00 = x0.fma(v, a00); a10 = x1.fma(v, a10);
                v = FloatVector.fromArray(S, dys, d + pp).blend(0f, junk);
                a01 = x0.fma(v, a01); a11 = x1.fma(v, a11);
                v = FloatVector.fromArray(S, dys, d + 2 * pp).blend(0f, junk);
                a02 = x0.fma(v, a02); a12 = x1.fma(v, a12);
                v = FloatVector.fromArray(S, dys, d + 3 * pp).blend(0f, junk);
                a03 = x0.fma(v, a03); a13 = x1.fma(v, a13);
                v = FloatVector.fromArray(S, dys, d + 4 * pp).blend(0f, junk);
                a04 = x0.fma(v, a04); a14 = x1.fma(v, a14);
                v = FloatVector.fromArray(S, dys, d + 5 * pp).blend(0f, junk);
                a05 = x0.fma(v, a05); a15 = x1.fma(v, a15);
            }
        }
        a00.intoArray(part, pi); a01.intoArray(part, pi + L); a02.intoArray(part, pi + 2 * L);
        a03.intoArray(part, pi + 3 * L); a04.intoArray(part, pi + 4 * L); a05.intoArray(part, pi + 5 * L);
        a10.intoArray(part, pi + 6 * L); a11.intoArray(part, pi + 7 * L); a12.intoArray(part, pi + 8 * L);
        a13.intoArray(part, pi + 9 * L); a14.intoArray(part, pi + 10 * L); a15.intoArray(part, pi + 11 * L);
    }
}
