package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.PoolGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Max pooling on the Vector API. Each plane is copied into heap scratch (with slack, so vector
 * loads past a row's end read harmless data whose lanes are dropped), pooled one output row at
 * a time with L outputs per vector, and copied back.
 *
 * <p>Stride 2 (the 2/2 and 3/2 pools): window column kx of L consecutive outputs is the even
 * lanes of the 2·L inputs starting at 2·ox + kx, one two-vector rearrange. The running max
 * takes a candidate only where it is strictly greater, visiting candidates in row-major order,
 * exactly as the scalar twin: the first maximum wins and a NaN never replaces a number.
 * Other strides run a scalar loop over the same heap copies.
 *
 * <p>Backward for k = s = 2 (windows tile the plane): every input element belongs to at most
 * one window, so each dx row is built by selecting dy where argmax points at it and
 * interleaving the even and odd columns back; no scatter. Overlapping windows (3/2) scatter-add
 * in scalar, as order matters only within a plane and is the scalar twin's.
 */
final class SimdPool {

    static final VectorSpecies<Float> S = GemmCore.S;
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    static final int L = S.length();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    /** Even lanes of (a, b): lanes 0, 2, ..., 2L−2 of their concatenation. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
    /** Interleave of (a, b) low halves: a0 b0 a1 b1 ...; and high halves. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(S, i -> (i % 2 == 0) ? i / 2 : L + i / 2);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromOp(S, i -> (i % 2 == 0) ? L / 2 + i / 2 : L + L / 2 + i / 2);
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final IntVector IOTA2 = IntVector.fromArray(SI, iota(L, 2), 0);

    private static int[] iota(int n, int step) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i * step;
        return a;
    }

    private SimdPool() {}

    static final class Scratch {
        float[] x = new float[0], y = new float[0];
        int[] arg = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void forward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment argmax, long argOff) {
        int h = g.h(), w = g.w(), k = g.k(), st = g.stride(), outH = g.outH(), outW = g.outW();
        int plane = h * w, outPlane = outH * outW;
        int outWPad = SimdConv.roundUp(outW, L);
        Scratch s = SCRATCH.get();
        // Slack: a vector at the last output column reads up to 2·(outWPad) + k + 2L past a row start.
        int xLen = plane + 2 * outWPad + k + 2 * L;
        if (s.x.length < xLen) s.x = new float[xLen];
        if (s.y.length < outH * outWPad) s.y = new float[outH * outWPad];
        if (s.arg.length < outH * outWPad) s.arg = new int[outH * outWPad];
        float[] xs = s.x, ys = s.y;
        int[] as = s.arg;
        Arrays.fill(xs, plane, xLen, 0f);
        for (long p = 0; p < g.planes(); p++) {
            MemorySegment.copy(x, F, (xOff + p * plane) * Float.BYTES, xs, 0, plane);
            if (st == 2) {
                for (int oy = 0; oy < outH; oy++) {
                    int rowOut = oy * outWPad;
                    for (int ox = 0; ox < outW; ox += L) {
                        int base = (oy * 2) * w + ox * 2;
                        FloatVector best = even(xs, base);
                        IntVector bestIdx = IOTA2.add(base);
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                if (ky == 0 && kx == 0) continue;
                                int at = base + ky * w + kx;
                                FloatVector v = even(xs, at);
                                VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                                best = best.blend(v, gt);
                                bestIdx = bestIdx.blend(IOTA2.add(at), gt.cast(SI));
                            }
                        }
                        best.intoArray(ys, rowOut + ox);
                        bestIdx.intoArray(as, rowOut + ox);
                    }
                }
            } else {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        int best = (oy * st) * w + ox * st;
                        float max = xs[best];
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int idx = (oy * st + ky) * w + ox * st + kx;
                                if (xs[idx] > max) { max = xs[idx]; best = idx; }
                            }
                        }
                        ys[oy * outWPad + ox] = max;
                        as[oy * outWPad + ox] = best;
                    }
                }
            }
            long out = p * outPlane;
            for (int oy = 0; oy < outH; oy++) {
                MemorySegment.copy(ys, oy * outWPad, y, F, (yOff + out + (long) oy * outW) * Float.BYTES, outW);
                MemorySegment.copy(as, oy * outWPad, argmax, I, (argOff + out + (long) oy * outW) * Integer.BYTES, outW);
            }
        }
    }

    /** Lanes xs[at], xs[at + 2], ..., xs[at + 2L − 2]. */
    private static FloatVector even(float[] xs, int at) {
        return FloatVector.fromArray(S, xs, at).rearrange(EVEN, FloatVector.fromArray(S, xs, at + L));
    }

    static void backward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                         MemorySegment dx, long dxOff) {
        int h = g.h(), w = g.w(), k = g.k(), st = g.stride(), outH = g.outH(), outW = g.outW();
        int plane = h * w, outPlane = outH * outW;
        Scratch s = SCRATCH.get();
        int outLen = outPlane + L;
        int xLen = plane + 4 * L;
        if (s.x.length < xLen) s.x = new float[xLen];
        if (s.y.length < outLen) s.y = new float[outLen];
        if (s.arg.length < outLen) s.arg = new int[outLen];
        float[] dxs = s.x, dys = s.y;
        int[] as = s.arg;
        boolean tiled = k == 2 && st == 2;
        for (long p = 0; p < g.planes(); p++) {
            long out = p * outPlane;
            MemorySegment.copy(dy, F, (dyOff + out) * Float.BYTES, dys, 0, outPlane);
            MemorySegment.copy(argmax, I, (argOff + out) * Integer.BYTES, as, 0, outPlane);
            if (tiled) {
                // Columns and rows no window covers (odd w or h) stay zero.
                if (2 * outW != w || 2 * outH != h) Arrays.fill(dxs, 0, plane, 0f);
                for (int oy = 0; oy < outH; oy++) {
                    int o = oy * outW, ox = 0;
                    for (; ox + L <= outW; ox += L) {
                        // + 0 turns a −0 gradient into +0, as the scalar twin's 0 + dy does.
                        FloatVector d = FloatVector.fromArray(S, dys, o + ox).add(0f);
                        IntVector a = IntVector.fromArray(SI, as, o + ox);
                        for (int ky = 0; ky < 2; ky++) {
                            int at = (2 * oy + ky) * w + 2 * ox;
                            IntVector idx = IOTA2.add(at);
                            FloatVector v0 = d.blend(ZERO, a.compare(VectorOperators.NE, idx).cast(S));
                            FloatVector v1 = d.blend(ZERO, a.compare(VectorOperators.NE, idx.add(1)).cast(S));
                            v0.rearrange(ZIP_LO, v1).intoArray(dxs, at);
                            v0.rearrange(ZIP_HI, v1).intoArray(dxs, at + L);
                        }
                    }
                    for (; ox < outW; ox++) {
                        int a = as[o + ox];
                        for (int ky = 0; ky < 2; ky++) {
                            int at = (2 * oy + ky) * w + 2 * ox;
                            dxs[at] = a == at ? 0f + dys[o + ox] : 0f;
                            dxs[at + 1] = a == at + 1 ? 0f + dys[o + ox] : 0f;
                        }
                    }
                }
            } else {
                Arrays.fill(dxs, 0, plane, 0f);
                for (int o = 0; o < outPlane; o++) dxs[as[o]] += dys[o];
            }
            MemorySegment.copy(dxs, 0, dx, F, (dxOff + p * plane) * Float.BYTES, plane);
        }
    }
}
