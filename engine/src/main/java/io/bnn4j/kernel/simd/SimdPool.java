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
 * <p>Backward is a scalar scatter on the segments (see {@link #backward}); it is not 4x its
 * twin, which is the same memory-bound scatter.
 */
final class SimdPool {

    static final VectorSpecies<Float> S = GemmCore.S;
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    static final int L = S.length();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    /** Even lanes of (a, b): lanes 0, 2, ..., 2L−2 of their concatenation. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
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

    /**
     * dx = 0, then dx[argmax] += dy. Measured: per-plane heap copies (and a vector
     * select-and-interleave for 2/2) were 4-9x slower than the scalar twin on LeNet's small
     * planes, where a copy's fixed cost dominates; so this works on the segments: one bulk zero
     * fill, then a scatter. Where windows cannot overlap (k <= stride) each input has at most one
     * gradient, so it is stored (0 + dy, as the twin computes it) without reading dx back.
     */
    static void backward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                         MemorySegment dx, long dxOff) {
        long plane = (long) g.h() * g.w(), outPlane = (long) g.outH() * g.outW();
        dx.asSlice(dxOff * Float.BYTES, g.inputSize() * Float.BYTES).fill((byte) 0);
        boolean disjoint = g.k() <= g.stride();
        for (long p = 0; p < g.planes(); p++) {
            long xBase = dxOff + p * plane, o0 = p * outPlane;
            for (long o = o0; o < o0 + outPlane; o++) {
                long xi = xBase + argmax.getAtIndex(I, argOff + o);
                float d = dy.getAtIndex(F, dyOff + o);
                dx.setAtIndex(F, xi, disjoint ? 0f + d : dx.getAtIndex(F, xi) + d);
            }
        }
    }
}
