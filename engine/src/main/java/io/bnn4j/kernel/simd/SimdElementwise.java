package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.bnn4j.kernel.simd.SimdLanes.*;
import static io.bnn4j.kernel.simd.SimdPolynomials.*;

/**
 * Elementwise kernels with the Vector API, operands read and written in place in their
 * MemorySegments: activations and their gradients, axpy, mul, scale, sums, bias over channels,
 * the local reparameterization sample and its gradient, and Adam.
 *
 * <p>Every loop is a vector body up to {@code S.loopBound(len)}, then a scalar tail that applies
 * the same definition. Agreement with {@code ScalarKernels}: kernels made of +, −, ×, ÷ and sqrt
 * (bias, axpy, mul, scale, lrtSample, lrtBackward, adamStep, RELU, SQUARE, SQRT) evaluate the
 * same expression in the same order without fused multiply-add, so they give the same bits;
 * EXP, LOG1P, SOFTPLUS and SIGMOID use {@link SimdPolynomials} (within 2 ulp of the scalar's
 * double {@code Math}). Sums accumulate in float vectors flushed to double per block and reduce
 * their lanes in a fixed order ({@link #sum}).
 */
final class SimdElementwise {

    private SimdElementwise() {}

    // ------------------------------------------------------------------ bias over channels

    // y: (n, c, spatial); bias: (c)
    // Two small methods, not one with two branches: compiled as one, C2 ran out of inlining budget
    // for whichever branch it met second and the dense rows went through boxed vectors.
    static void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        if (spatial == 1) addRowBias(n, c, y, yOff, bias, bOff);
        else addPlaneBias(n, c, spatial, y, yOff, bias, bOff);
    }

    // A dense layer, y: (n, c): each row gets the bias vector.
    private static void addRowBias(int n, int c, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        int bound = S.loopBound(c);
        for (int i = 0; i < n; i++) {
            long row = yOff + (long) i * c;
            int ch = 0;
            for (; ch < bound; ch += L) store(load(y, row + ch).add(load(bias, bOff + ch)), y, row + ch);
            if (ch < c) {   // the tail as one masked vector: rows of 120, 84, 10 leave 8, 4, 10
                VectorMask<Float> m = S.indexInRange(ch, c);
                store(load(y, row + ch, m).add(load(bias, bOff + ch, m)), y, row + ch, m);
            }
        }
    }

    // A convolution, y: (n, c, spatial): each channel's plane gets its bias.
    private static void addPlaneBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        int bound = S.loopBound(spatial);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float b = get(bias, bOff + ch);
                long base = yOff + ((long) i * c + ch) * spatial;
                int s = 0;
                for (; s < bound; s += L) store(load(y, base + s).add(b), y, base + s);
                if (s < spatial) {   // masked tail: conv2's rows of 100 leave 4 (16 lanes)
                    VectorMask<Float> m = S.indexInRange(s, spatial);
                    store(load(y, base + s, m).add(b), y, base + s, m);
                }
            }
        }
    }

    // dy: (n, c, spatial); db: (c)
    static void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff) {
        if (spatial == 1) {
            // A dense layer: sum the n rows of c, a vector of channels at a time, flushing the
            // float partial sums to double every 16 rows (the same error bound as sum()).
            int bound = S.loopBound(c);
            int ch = 0;
            double[] lanes = new double[L];
            for (; ch < bound; ch += L) {
                DoubleVector total0 = DoubleVector.zero(DS), total1 = DoubleVector.zero(DS);
                for (int i0 = 0; i0 < n; i0 += 16) {
                    FloatVector acc = FloatVector.zero(S);
                    int i1 = Math.min(n, i0 + 16);
                    for (int i = i0; i < i1; i++) acc = acc.add(load(dy, dyOff + (long) i * c + ch));
                    total0 = total0.add((DoubleVector) acc.convertShape(VectorOperators.F2D, DS, 0));
                    total1 = total1.add((DoubleVector) acc.convertShape(VectorOperators.F2D, DS, 1));
                }
                total0.intoArray(lanes, 0);
                total1.intoArray(lanes, DS.length());
                for (int t = 0; t < L; t++) set(db, dbOff + ch + t, (float) lanes[t]);
            }
            for (; ch < c; ch++) {
                double acc = 0;
                for (int i = 0; i < n; i++) acc += get(dy, dyOff + (long) i * c + ch);
                set(db, dbOff + ch, (float) acc);
            }
            return;
        }
        for (int ch = 0; ch < c; ch++) {
            double acc = 0;
            for (int i = 0; i < n; i++) acc += sum(spatial, dy, dyOff + ((long) i * c + ch) * spatial);
            set(db, dbOff + ch, (float) acc);
        }
    }

    // ------------------------------------------------------------------ elementwise

    static void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        switch (op) {
            case RELU -> relu(len, x, xOff, y, yOff);
            case SOFTPLUS -> softplusAll(len, x, xOff, y, yOff);
            case SIGMOID -> sigmoidAll(len, x, xOff, y, yOff);
            case SQUARE -> square(len, x, xOff, y, yOff);
            case SQRT -> sqrt(len, x, xOff, y, yOff);
            case EXP -> expAll(len, x, xOff, y, yOff);
            case LOG1P -> log1pAll(len, x, xOff, y, yOff);
        }
    }

    private static void relu(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) {
            FloatVector v = load(x, xOff + i);
            // x > 0 ? x : +0 exactly as the scalar (max would turn NaN and −0 differently).
            store(v.blend(0f, v.compare(VectorOperators.GT, 0f).not()), y, yOff + i);
        }
        for (; i < len; i++) set(y, yOff + i, UnaryOp.RELU.apply(get(x, xOff + i)));
    }

    private static void square(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) {
            FloatVector v = load(x, xOff + i);
            store(v.mul(v), y, yOff + i);
        }
        for (; i < len; i++) set(y, yOff + i, UnaryOp.SQUARE.apply(get(x, xOff + i)));
    }

    private static void sqrt(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(load(x, xOff + i).sqrt(), y, yOff + i);
        for (; i < len; i++) set(y, yOff + i, UnaryOp.SQRT.apply(get(x, xOff + i)));
    }

    private static void expAll(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(exp(load(x, xOff + i)), y, yOff + i);
        for (; i < len; i++) set(y, yOff + i, exp(get(x, xOff + i)));
    }

    /**
     * {@link #log1p(FloatVector)} over x in two passes per chunk (log1pFinite into the scratch,
     * then the three special-case blends into y): in one loop the last blends were cut off by
     * C2's node budget and boxed. Same operations, same order, same bits. y may alias x.
     */
    private static void log1pAll(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int i = chunked(LOG1P_PASSES, S.loopBound(len), x, xOff, y, yOff);
        for (; i < len; i++) set(y, yOff + i, log1p(get(x, xOff + i)));
    }

    private static final ChunkPass[] LOG1P_PASSES = {
            (n, x, xOff, scratch, y, yOff) -> log1pFiniteLoadPass(n, x, xOff, scratch),
            SimdElementwise::log1pBlendPass,
    };

    // scratch[CHUNK + j] = log1pFinite(x[xOff + j]) for j < n
    private static void log1pFiniteLoadPass(int n, MemorySegment x, long xOff, float[] scratch) {
        for (int j = 0; j < n; j += L) log1pFinite(load(x, xOff + j)).intoArray(scratch, CHUNK + j);
    }

    // y = log1p from x and scratch[CHUNK + j] = log1pFinite(x): +∞ at +∞, −∞ at −1, NaN below −1
    private static void log1pBlendPass(int n, MemorySegment x, long xOff, float[] scratch, MemorySegment y, long yOff) {
        for (int j = 0; j < n; j += L) {
            FloatVector v = load(x, xOff + j), r = FloatVector.fromArray(S, scratch, CHUNK + j);
            r = r.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, -1f));
            store(r.blend(Float.NaN, v.compare(VectorOperators.LT, -1f)), y, yOff + j);
        }
    }

    // ------------------------------------------------------------------ chunked passes
    //
    // The Vector API is only fast when every vector op of a loop is intrinsified and no vector
    // crosses a call C2 did not inline (it is then boxed on the heap). C2 inlines within a node
    // budget (NodeCountInliningCutoff), and one loop with exp and log1p (softplus), or even log1p
    // and its special-case blends, went over it: a call stayed in the loop, its vectors were
    // boxed (about 24 B per float for softplus) and the loop ran at 3–5 ns per float. So these
    // kernels run a chunk of CHUNK floats at a time through several small loops ("passes"),
    // each one small enough to be compiled whole, with intermediate vectors in a per-thread
    // heap scratch. Each pass applies the same operations in the same order as the one-vector
    // function (softplus(FloatVector), log1p(FloatVector)), so the bits do not change.

    /** Floats per chunk: two 8 kB halves of the per-thread scratch, in L1. */
    static final int CHUNK = 2048;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * CHUNK]);

    /**
     * Runs the passes over [0, bound) (bound a multiple of L) chunk by chunk; returns bound.
     * The passes are called from this one call site, which sees every pass class of every
     * chunked kernel (five: megamorphic), so C2 cannot inline them here and compiles each as its
     * own unit. Called directly, all of softplus's passes were inlined into one method, which
     * went over the node budget again. One interface call per pass and chunk costs nothing
     * measurable.
     */
    private static int chunked(ChunkPass[] passes, int bound, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (bound == 0) return 0;
        float[] scratch = SCRATCH.get();
        for (int i = 0; i < bound; i += CHUNK) {
            int n = Math.min(CHUNK, bound - i);
            for (ChunkPass pass : passes) pass.run(n, x, xOff + i, scratch, y, yOff + i);
        }
        return bound;
    }

    /** softplus(x) in three passes: e = e^x, then mid = log1pFinite(e), then the blends. y may alias x. */
    private static void softplusAll(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int i = chunked(SOFTPLUS_PASSES, S.loopBound(len), x, xOff, y, yOff);
        for (; i < len; i++) set(y, yOff + i, softplus(get(x, xOff + i)));
    }

    /** One pass of a chunked kernel over n floats (n a multiple of L). */
    private interface ChunkPass {
        void run(int n, MemorySegment x, long xOff, float[] scratch, MemorySegment y, long yOff);
    }

    private static final ChunkPass[] SOFTPLUS_PASSES = {
            (n, x, xOff, scratch, y, yOff) -> expPass(n, x, xOff, scratch),
            (n, x, xOff, scratch, y, yOff) -> log1pFinitePass(n, scratch),
            SimdElementwise::softplusBlendPass,
    };

    // scratch[0, n) = e^x[xOff …], n a multiple of L
    private static void expPass(int n, MemorySegment x, long xOff, float[] scratch) {
        for (int j = 0; j < n; j += L) exp(load(x, xOff + j)).intoArray(scratch, j);
    }

    // scratch[CHUNK + j] = log1pFinite(scratch[j]) for j < n
    private static void log1pFinitePass(int n, float[] scratch) {
        for (int j = 0; j < n; j += L) {
            log1pFinite(FloatVector.fromArray(S, scratch, j)).intoArray(scratch, CHUNK + j);
        }
    }

    // y = x above 20, e below −20, mid between (e = scratch[j], mid = scratch[CHUNK + j]); reads x[j] before writing y[j]
    private static void softplusBlendPass(int n, MemorySegment x, long xOff, float[] scratch, MemorySegment y, long yOff) {
        for (int j = 0; j < n; j += L) {
            FloatVector v = load(x, xOff + j), e = FloatVector.fromArray(S, scratch, j);
            FloatVector mid = FloatVector.fromArray(S, scratch, CHUNK + j);
            store(mid.blend(v, v.compare(VectorOperators.GT, 20f)).blend(e, v.compare(VectorOperators.LT, -20f)), y, yOff + j);
        }
    }

    private static void sigmoidAll(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(sigmoid(load(x, xOff + i)), y, yOff + i);
        for (; i < len; i++) set(y, yOff + i, sigmoid(get(x, xOff + i)));
    }

    // dx = dy · f'(x); dx may alias dy
    static void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                   MemorySegment dx, long dxOff) {
        int bound = S.loopBound(len), i = 0;
        switch (op) {
            case RELU -> {
                FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) {
                    // dy · (x > 0 ? 1 : 0), a product as in the scalar (NaN·0 stays NaN).
                    FloatVector d = zero.blend(one, load(x, xOff + i).compare(VectorOperators.GT, 0f));
                    store(load(dy, dyOff + i).mul(d), dx, dxOff + i);
                }
            }
            case SOFTPLUS -> {
                for (; i < bound; i += L) store(load(dy, dyOff + i).mul(sigmoid(load(x, xOff + i))), dx, dxOff + i);
            }
            case SIGMOID -> {
                for (; i < bound; i += L) store(load(dy, dyOff + i).mul(sigmoidDerivative(load(x, xOff + i))), dx, dxOff + i);
            }
            default -> throw new IllegalArgumentException(op + " is not an activation");
        }
        for (; i < len; i++) {
            float xi = get(x, xOff + i);
            float derivative = switch (op) {
                case RELU -> xi > 0f ? 1f : 0f;
                case SOFTPLUS -> sigmoid(xi);
                default -> sigmoidDerivative(xi);
            };
            set(dx, dxOff + i, get(dy, dyOff + i) * derivative);
        }
    }

    // y = alpha·x + y, multiply then add (no FMA) as the scalar
    static void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(load(x, xOff + i).mul(alpha).add(load(y, yOff + i)), y, yOff + i);
        for (; i < len; i++) set(y, yOff + i, alpha * get(x, xOff + i) + get(y, yOff + i));
    }

    static void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i + 4 * L <= bound; i += 4 * L) {
            FloatVector a0 = load(x, xOff + i), a1 = load(x, xOff + i + L), a2 = load(x, xOff + i + 2 * L), a3 = load(x, xOff + i + 3 * L);
            FloatVector b0 = load(y, yOff + i), b1 = load(y, yOff + i + L), b2 = load(y, yOff + i + 2 * L), b3 = load(y, yOff + i + 3 * L);
            store(a0.mul(b0), z, zOff + i);
            store(a1.mul(b1), z, zOff + i + L);
            store(a2.mul(b2), z, zOff + i + 2 * L);
            store(a3.mul(b3), z, zOff + i + 3 * L);
        }
        for (; i < bound; i += L) store(load(x, xOff + i).mul(load(y, yOff + i)), z, zOff + i);
        for (; i < len; i++) set(z, zOff + i, get(x, xOff + i) * get(y, yOff + i));
    }

    static void scale(int len, float alpha, MemorySegment x, long xOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(load(x, xOff + i).mul(alpha), x, xOff + i);
        for (; i < len; i++) set(x, xOff + i, alpha * get(x, xOff + i));
    }

    /**
     * Σ x: ACCUMULATORS float vectors per BLOCK, widened to double at the end of each block.
     * Error against the exact sum: at most γ₁₆·Σ|x| + len·2⁻⁵³·Σ|x| (see {@link #BLOCK}),
     * against the scalar's len·2⁻⁵³·Σ|x|.
     */
    static double sum(int len, MemorySegment x, long xOff) {
        double total = 0;
        int blockBound = len - len % BLOCK, i = 0;
        for (; i < blockBound; i += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = i; j < i + BLOCK; j += ACCUMULATORS * L) {
                long p = xOff + j;
                a0 = a0.add(load(x, p));
                a1 = a1.add(load(x, p + L));
                a2 = a2.add(load(x, p + 2L * L));
                a3 = a3.add(load(x, p + 3L * L));
            }
            total += widenedSum(a0) + widenedSum(a1) + widenedSum(a2) + widenedSum(a3);
        }
        int bound = S.loopBound(len);
        if (i < bound) {
            FloatVector a = FloatVector.zero(S);           // fewer than BLOCK floats left
            for (; i < bound; i += L) a = a.add(load(x, xOff + i));
            total += widenedSum(a);
        }
        for (; i < len; i++) total += get(x, xOff + i);
        return total;
    }

    /** Σ x², as {@link #sum} with fused x·x + acc (one rounding per term). */
    static double sumOfSquares(int len, MemorySegment x, long xOff) {
        double total = 0;
        int blockBound = len - len % BLOCK, i = 0;
        for (; i < blockBound; i += BLOCK) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = i; j < i + BLOCK; j += ACCUMULATORS * L) {
                long p = xOff + j;
                FloatVector v0 = load(x, p), v1 = load(x, p + L), v2 = load(x, p + 2L * L), v3 = load(x, p + 3L * L);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            total += widenedSum(a0) + widenedSum(a1) + widenedSum(a2) + widenedSum(a3);
        }
        int bound = S.loopBound(len);
        if (i < bound) {
            FloatVector a = FloatVector.zero(S);
            for (; i < bound; i += L) {
                FloatVector v = load(x, xOff + i);
                a = v.fma(v, a);
            }
            total += widenedSum(a);
        }
        for (; i < len; i++) {
            double v = get(x, xOff + i);
            total += v * v;
        }
        return total;
    }

    // ------------------------------------------------------------------ local reparameterization

    // y = mu + sqrt(var)·eps; y may alias mu. sqrt is correctly rounded in both backends.
    static void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                          MemorySegment eps, long epsOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) {
            FloatVector v = load(mu, muOff + i).add(load(var, varOff + i).sqrt().mul(load(eps, epsOff + i)));
            store(v, y, yOff + i);
        }
        for (; i < len; i++) {
            set(y, yOff + i, get(mu, muOff + i) + (float) Math.sqrt(get(var, varOff + i)) * get(eps, epsOff + i));
        }
    }

    /** Per-thread biases of lrtSampleBias spread over a block of examples' outputs. */
    private static final ThreadLocal<float[][]> SPREAD_BIAS = ThreadLocal.withInitial(() -> new float[][]{new float[0], new float[0]});

    // mu, var, eps, y: (n, c, spatial); bMu, bVar: (c). The two biases are first spread over the
    // c·spatial outputs of g examples (a heap scratch in L1/L2), g the fewest whose outputs fill
    // whole vectors (dense rows of 120: 2; of 10: 8; LeNet's conv planes: 1), so the pass runs
    // over blocks of g examples as flat ranges without masks or tails, but after the last block.
    // Masked tails per channel plane (conv2's planes of 100) left a boxed vector per call now and
    // then, and a scalar tail per plane or row was slower than the three separate passes.
    static void lrtSampleBias(int n, int c, int spatial, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                              MemorySegment bMu, long bMuOff, MemorySegment bVar, long bVarOff, MemorySegment eps, long epsOff,
                              MemorySegment y, long yOff) {
        int size = c * spatial;
        if (n == 0 || size == 0) return;
        int g = L / gcd(size, L), block = g * size;
        float[][] spread = SPREAD_BIAS.get();
        if (spread[0].length < block) spread[0] = new float[block];
        if (spread[1].length < block) spread[1] = new float[block];
        float[] bm = spread[0], bv = spread[1];
        for (int e = 0; e < g; e++) {
            if (spatial == 1) {          // a dense row: the bias vectors themselves
                MemorySegment.copy(bMu, ValueLayout.JAVA_FLOAT, bMuOff * Float.BYTES, bm, e * size, c);
                MemorySegment.copy(bVar, ValueLayout.JAVA_FLOAT, bVarOff * Float.BYTES, bv, e * size, c);
                continue;
            }
            for (int ch = 0; ch < c; ch++) {
                int from = e * size + ch * spatial;
                java.util.Arrays.fill(bm, from, from + spatial, get(bMu, bMuOff + ch));
                java.util.Arrays.fill(bv, from, from + spatial, get(bVar, bVarOff + ch));
            }
        }
        for (int i = 0; i < n; i += g) {
            long at = (long) i * size;
            lrtSampleSpread(Math.min(g, n - i) * size, bm, bv, mu, muOff + at, var, varOff + at, eps, epsOff + at, y, yOff + at);
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    // one block: var ← var + bv, y = (mu + bm) + sqrt(var) ⊙ eps over [0, size)
    private static void lrtSampleSpread(int size, float[] bm, float[] bv, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                                        MemorySegment eps, long epsOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(size), j = 0;
        for (; j < bound; j += L) {
            FloatVector v = load(var, varOff + j).add(FloatVector.fromArray(S, bv, j));
            store(v, var, varOff + j);
            store(load(mu, muOff + j).add(FloatVector.fromArray(S, bm, j)).add(v.sqrt().mul(load(eps, epsOff + j))), y, yOff + j);
        }
        for (; j < size; j++) {
            float v = get(var, varOff + j) + bv[j];
            set(var, varOff + j, v);
            set(y, yOff + j, (get(mu, muOff + j) + bm[j]) + (float) Math.sqrt(v) * get(eps, epsOff + j));
        }
    }

    // dVar = dy·eps / (2·sqrt(var))
    static void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff,
                            MemorySegment eps, long epsOff, MemorySegment dVar, long dVarOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) {
            FloatVector twoS = load(var, varOff + i).sqrt().mul(2f);
            store(load(dy, dyOff + i).mul(load(eps, epsOff + i)).div(twoS), dVar, dVarOff + i);
        }
        for (; i < len; i++) {
            float s = (float) Math.sqrt(get(var, varOff + i));
            set(dVar, dVarOff + i, get(dy, dyOff + i) * get(eps, epsOff + i) / (2f * s));
        }
    }

    // ------------------------------------------------------------------ optimizer

    static void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff,
                         MemorySegment m, long mOff, MemorySegment v, long vOff,
                         float lr, float beta1, float beta2, float eps, float c1, float c2) {
        float oneMinusB1 = 1f - beta1, oneMinusB2 = 1f - beta2;
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) {
            FloatVector gi = load(g, gOff + i);
            FloatVector mi = load(m, mOff + i).mul(beta1).add(gi.mul(oneMinusB1));
            FloatVector vi = load(v, vOff + i).mul(beta2).add(gi.mul(oneMinusB2).mul(gi));
            store(mi, m, mOff + i);
            store(vi, v, vOff + i);
            FloatVector update = mi.div(c1).mul(lr).div(vi.div(c2).sqrt().add(eps));
            store(load(p, pOff + i).sub(update), p, pOff + i);
        }
        for (; i < len; i++) {
            float gi = get(g, gOff + i);
            float mi = beta1 * get(m, mOff + i) + oneMinusB1 * gi;
            float vi = beta2 * get(v, vOff + i) + oneMinusB2 * gi * gi;
            set(m, mOff + i, mi);
            set(v, vOff + i, vi);
            float update = lr * (mi / c1) / ((float) Math.sqrt(vi / c2) + eps);
            set(p, pOff + i, get(p, pOff + i) - update);
        }
    }
}
