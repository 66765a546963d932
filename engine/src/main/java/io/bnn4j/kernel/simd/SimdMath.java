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

/**
 * Elementwise maths, bias over channels, row softmax, local reparameterization and Adam with
 * the Vector API, operands read and written in place in their MemorySegments.
 *
 * <p>Every loop has the same shape: a vector body up to {@code SPECIES.loopBound(len)}, then a
 * scalar tail that applies the same definition (rows of up to {@link #TRANSPOSED_MAX_COLS}
 * columns go L rows at a time, transposed; longer rows use a masked tail).
 *
 * <p>Agreement with {@code ScalarKernels}: kernels made of +, −, ×, ÷ and sqrt (bias, axpy, mul,
 * scale, lrtSample, lrtBackward, adamStep, RELU, SQUARE, SQRT) evaluate the same expression in
 * the same order without fused multiply-add, so they give the same bits. Kernels with a
 * transcendental (EXP, LOG1P, SOFTPLUS, SIGMOID, softmax) use this class's own float
 * polynomials ({@link #exp(FloatVector)}, {@link #log1p(FloatVector)}), where the scalar goes
 * through double {@code Math}: within 1 ulp for exp, log1p and log, 2 for softplus and sigmoid
 * (measured over the float range, SimdMathPolynomialTest). Sums accumulate in float vectors
 * flushed to double per block (see {@link #sum}).
 *
 * <p>Reproducibility: the polynomials replace the lanewise VectorOperators.EXP/LOG1P, which are
 * SVML only once C2 has compiled the loop and the per-lane Math before (interpreter, C1): an ulp
 * apart now and then, so σ = softplus(ρ) depended on the JIT state. Now every element, vector
 * body or scalar tail (a scalar twin of each polynomial, the same operations in the same order),
 * is a function of the input only. Sums ({@link #sum}, {@link #sumOfSquares}, bias gradients,
 * long-row softmax) reduce their double lanes one by one in a fixed order rather than with
 * {@code reduceLanes(ADD)}, whose order C2 may choose.
 */
final class SimdMath {

    static final VectorSpecies<Float> S = SimdKernels.SPECIES;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /**
     * Floats per block of a float-accumulated sum before the partial sums go to double. With
     * {@code ACCUMULATORS} vectors of L lanes, each lane adds BLOCK / (ACCUMULATORS·L) terms in
     * float (16 at L = 8), so a block's rounding error is at most γ₁₆·Σ|x| ≈ 16·2⁻²⁴·Σ|x|
     * (Higham, recursive summation); the double part adds (len / BLOCK)·2⁻⁵³ on top.
     */
    static final int ACCUMULATORS = 4;
    static final int BLOCK = 16 * ACCUMULATORS * L;

    private SimdMath() {}

    // ------------------------------------------------------------------ memory access

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER);
    }

    private static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER, m);
    }

    private static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER);
    }

    private static void store(FloatVector v, MemorySegment s, long index, VectorMask<Float> m) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER, m);
    }

    private static float get(MemorySegment s, long index) {
        return s.getAtIndex(F, index);
    }

    private static void set(MemorySegment s, long index, float v) {
        s.setAtIndex(F, index, v);
    }

    private static final ThreadLocal<double[]> DOUBLE_LANES = ThreadLocal.withInitial(() -> new double[DS.length()]);

    /** The float lanes of v, widened exactly to double and summed in double. */
    private static double widenedSum(FloatVector v) {
        DoubleVector lo = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
        DoubleVector hi = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1);
        DoubleVector d = lo.add(hi);
        // Lane by lane in a fixed order: reduceLanes(ADD) lets C2 pick the order, so its last
        // bits could differ between the interpreter and compiled code (a run would then not
        // reproduce). Plain double additions are the same in every tier.
        // Through a per-thread array: lane(i) with a variable index allocates.
        double[] lanes = DOUBLE_LANES.get();
        d.intoArray(lanes, 0);
        double total = 0;
        for (int i = 0; i < d.length(); i++) total += lanes[i];
        return total;
    }

    // ------------------------------------------------------------------ bias over channels

    // y: (n, c, spatial); bias: (c)
    static void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        if (spatial == 1) {
            // A dense layer: each row of c gets the bias vector.
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
            return;
        }
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

    /** a·b + c rounded once. */
    private static FloatVector mad(FloatVector a, FloatVector b, FloatVector c) {
        return a.fma(b, c);
    }

    private static FloatVector constant(float c) {
        return FloatVector.broadcast(S, c);
    }

    // ------------------------------------------------------------------ own exp and log1p
    //
    // Not VectorOperators.EXP/LOG1P: those are SVML stubs once C2 has compiled the loop and a
    // per-lane Math fallback before (interpreter, C1), and the two differ by an ulp now and then,
    // so σ = softplus(ρ) changed in the last bit depending on the JIT state (training runs did not
    // repeat, a reloaded model's σ differed from the saved one's). These are built from +, −, ×,
    // FMA (exact in every tier: Math.fma and the vector FMA round once) and bit operations, so a
    // result depends only on the input. Each vector function has a scalar twin below, the same
    // operations in the same order, used for the scalar tails: every element of a call, vector
    // body or tail, gets the same bits for the same input.

    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer, held in its low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    // ln 2 = EXP_LN2_HI + EXP_LN2_LO; with FMA, x − n·EXP_LN2_HI is exact for the n that occur
    private static final float EXP_LN2_HI = 0.693147182464599609375f, EXP_LN2_LO = -1.904654323148236017e-9f;
    // Cephes expf: e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2, relative error ≈ 1 ulp
    private static final float EP0 = 5.0000001201e-1f, EP1 = 1.6666665459e-1f, EP2 = 4.1665795894e-2f,
            EP3 = 8.3334519073e-3f, EP4 = 1.3981999507e-3f, EP5 = 1.9875691500e-4f;
    // Vector constants: fewer IR nodes than a broadcast per use, which keeps the kernels under
    // C2's inlining node budget (NodeCountInliningCutoff cut softplus = exp + log1p in two).
    private static final FloatVector V_EP0 = constant(EP0), V_EP1 = constant(EP1), V_EP2 = constant(EP2),
            V_EP3 = constant(EP3), V_EP4 = constant(EP4), V_EP5 = constant(EP5);
    private static final FloatVector V_EXP_LN2_HI = constant(-EXP_LN2_HI), V_EXP_LN2_LO = constant(-EXP_LN2_LO);
    /** Below this e^x is 0 in float, above EXP_HI it is +∞; clamping keeps n in range. */
    private static final float EXP_LO = -104f, EXP_HI = 89f;

    /**
     * e^x: n = round(x·log₂e), r = x − n·ln2 (two FMA steps), e^r by the Cephes polynomial, then
     * times 2^n as two powers of two (2^⌊n/2⌋ exact, the second rounds once, into the subnormals
     * when needed). NaN stays NaN, ±∞ give +∞ and 0.
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector nf = t.sub(ROUND_MAGIC);
        IntVector n = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = nf.fma(V_EXP_LN2_HI, x);
        r = nf.fma(V_EXP_LN2_LO, r);
        FloatVector p = mad(mad(mad(mad(mad(r, V_EP5, V_EP4), r, V_EP3), r, V_EP2), r, V_EP1), r, V_EP0);
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(s1).mul(s2);
    }

    /** Scalar twin of {@link #exp(FloatVector)}: the same operations, the same bits. */
    static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        float nf = t - ROUND_MAGIC;
        int n = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = Math.fma(nf, -EXP_LN2_HI, x);
        r = Math.fma(nf, -EXP_LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, EP5, EP4), r, EP3), r, EP2), r, EP1), r, EP0);
        float y = Math.fma(p, r * r, r) + 1f;
        int n1 = n >> 1, n2 = n - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    // Cephes logf: ln(1 + f) ≈ f − f²/2 + f³·P(f) on f in [√½ − 1, √2 − 1], about 1 ulp; ln 2 in
    // a short high part (k·LOG_LN2_HI exact) and a low part.
    private static final float LP0 = 3.3333331174e-1f, LP1 = -2.4999993993e-1f, LP2 = 2.0000714765e-1f,
            LP3 = -1.6668057665e-1f, LP4 = 1.4249322787e-1f, LP5 = -1.2420140846e-1f, LP6 = 1.1676998740e-1f,
            LP7 = -1.1514610310e-1f, LP8 = 7.0376836292e-2f;
    private static final float LOG_LN2_HI = 0.693359375f, LOG_LN2_LO = -2.12194440e-4f;
    private static final int SQRT_HALF_BITS = 0x3f3504f3;
    private static final FloatVector V_LP0 = constant(LP0), V_LP1 = constant(LP1), V_LP2 = constant(LP2),
            V_LP3 = constant(LP3), V_LP4 = constant(LP4), V_LP5 = constant(LP5), V_LP6 = constant(LP6),
            V_LP7 = constant(LP7), V_LP8 = constant(LP8), V_LOG_LN2_LO = constant(LOG_LN2_LO);

    /** ln(1 + f) + k·ln 2 for f in [√½ − 1, √2 − 1]: the Cephes polynomial, shared by log1p and SimdRandom's log. */
    static FloatVector logKernel(FloatVector f, FloatVector k) {
        FloatVector z = f.mul(f);
        FloatVector p = mad(mad(mad(mad(mad(mad(mad(mad(f, V_LP8, V_LP7), f, V_LP6), f, V_LP5), f, V_LP4), f, V_LP3), f, V_LP2), f, V_LP1), f, V_LP0);
        FloatVector tail = p.mul(f).fma(z, z.mul(-0.5f));
        return k.fma(V_LOG_LN2_LO, tail).add(f).add(k.mul(LOG_LN2_HI));
    }

    static float logKernel(float f, float k) {
        float z = f * f;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(f, LP8, LP7), f, LP6), f, LP5),
                f, LP4), f, LP3), f, LP2), f, LP1), f, LP0);
        float tail = Math.fma(p * f, z, z * -0.5f);
        return Math.fma(k, LOG_LN2_LO, tail) + f + k * LOG_LN2_HI;
    }

    /**
     * ln(1 + x): u = 1 + x rounded, its error c recovered exactly (Fast2Sum, larger operand
     * first), u = 2^k·m with m in [√½, √2), and ln(1 + x) = k·ln 2 + ln(1 + f) with
     * f = m − 1 + c·2^−k (the rounding of u folded back, so tiny x keep full accuracy).
     * x = −1 gives −∞, x &lt; −1 NaN, +∞ +∞, NaN NaN.
     */
    static FloatVector log1p(FloatVector x) {
        FloatVector y = log1pFinite(x);
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, -1f));
        return y.blend(Float.NaN, x.compare(VectorOperators.LT, -1f));
    }

    /**
     * log1p for finite x &gt; −1 (garbage elsewhere). c = x − (u − 1) is the exact rounding error
     * of u = 1 + x while u &lt; 2²⁴ (u − 1 is then exact, and the error of a sum is a float);
     * beyond, c is off by at most 1, which c·2^−k ≤ 2⁻²⁴ makes invisible in a log ≥ 16.
     */
    static FloatVector log1pFinite(FloatVector x) {
        FloatVector u = x.add(1f);
        FloatVector c = x.sub(u.sub(1f));
        IntVector ix = u.reinterpretAsInts().add(0x3f800000 - SQRT_HALF_BITS);
        IntVector k = ix.lanewise(VectorOperators.ASHR, 23).sub(127);
        FloatVector f = ix.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
        // 2^−k, held at 2^−126 for k ≥ 127 where c·2^−k is far below an ulp of the result anyway
        FloatVector scale = k.neg().add(127).max(1).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return logKernel(c.fma(scale, f), (FloatVector) k.convert(VectorOperators.I2F, 0));
    }

    /** Scalar twin of {@link #log1p(FloatVector)}. */
    static float log1p(float x) {
        float y = log1pFinite(x);
        if (x == Float.POSITIVE_INFINITY) y = Float.POSITIVE_INFINITY;
        if (x == -1f) y = Float.NEGATIVE_INFINITY;
        if (x < -1f) y = Float.NaN;
        return y;
    }

    static float log1pFinite(float x) {
        float u = x + 1f;
        float c = x - (u - 1f);
        int ix = Float.floatToRawIntBits(u) + (0x3f800000 - SQRT_HALF_BITS);
        int k = (ix >> 23) - 127;
        float f = Float.intBitsToFloat((ix & 0x007fffff) + SQRT_HALF_BITS) - 1f;
        float scale = Float.intBitsToFloat(Math.max(127 - k, 1) << 23);
        return logKernel(Math.fma(c, scale, f), (float) k);
    }

    /**
     * ln u for positive normal u (a row sum, a uniform): u = 2^k·m with m in [√½, √2), then
     * {@link #logKernel}. Zero, subnormal, negative, infinite or NaN u give garbage.
     */
    static FloatVector logPositive(FloatVector u) {
        IntVector ix = u.reinterpretAsInts().add(0x3f800000 - SQRT_HALF_BITS);
        IntVector k = ix.lanewise(VectorOperators.ASHR, 23).sub(127);
        FloatVector f = ix.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
        return logKernel(f, (FloatVector) k.convert(VectorOperators.I2F, 0));
    }

    /** Scalar twin of {@link #logPositive(FloatVector)}. */
    static float logPositive(float u) {
        int ix = Float.floatToRawIntBits(u) + (0x3f800000 - SQRT_HALF_BITS);
        int k = (ix >> 23) - 127;
        float f = Float.intBitsToFloat((ix & 0x007fffff) + SQRT_HALF_BITS) - 1f;
        return logKernel(f, (float) k);
    }

    /** softplus(x) as UnaryOp.softplus: x above 20, e^x below −20, log1p(e^x) between. */
    static FloatVector softplus(FloatVector v) {
        FloatVector e = exp(v);
        FloatVector mid = log1pFinite(e);     // e ≥ 0; e = +∞ only above 20, where mid is not used
        return mid.blend(v, v.compare(VectorOperators.GT, 20f)).blend(e, v.compare(VectorOperators.LT, -20f));
    }

    static float softplus(float x) {
        float e = exp(x);
        float mid = log1pFinite(e);
        return x > 20f ? x : x < -20f ? e : mid;
    }

    /** sigmoid(x) as UnaryOp.sigmoid: 1/(1+e^−x) for x ≥ 0, e^x/(1+e^x) below: never e^+large. */
    static FloatVector sigmoid(FloatVector v) {
        FloatVector e = exp(v.abs().neg());   // e^−|x| ∈ (0, 1]
        FloatVector onePlus = e.add(1f);
        FloatVector numerator = FloatVector.broadcast(S, 1f).blend(e, v.compare(VectorOperators.LT, 0f));
        return numerator.div(onePlus);
    }

    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x < 0f ? e : 1f) / (e + 1f);
    }

    /** σ(x)·σ(−x) as the scalar: with e = e^−|x|, the factors are 1/(1+e) and e/(1+e). */
    static FloatVector sigmoidDerivative(FloatVector v) {
        FloatVector e = exp(v.abs().neg());
        FloatVector onePlus = e.add(1f);
        return FloatVector.broadcast(S, 1f).div(onePlus).mul(e.div(onePlus));
    }

    static float sigmoidDerivative(float x) {
        float e = exp(-Math.abs(x));
        float onePlus = e + 1f;
        return 1f / onePlus * (e / onePlus);
    }

    // ------------------------------------------------------------------ elementwise

    static void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        switch (op) {
            case RELU -> relu(len, x, xOff, y, yOff);
            case SOFTPLUS -> softplus(len, x, xOff, y, yOff);
            case SIGMOID -> sigmoid(len, x, xOff, y, yOff);
            case SQUARE -> square(len, x, xOff, y, yOff);
            case SQRT -> sqrt(len, x, xOff, y, yOff);
            case EXP -> exp(len, x, xOff, y, yOff);
            case LOG1P -> log1p(len, x, xOff, y, yOff);
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

    private static void exp(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int bound = S.loopBound(len), i = 0;
        for (; i < bound; i += L) store(exp(load(x, xOff + i)), y, yOff + i);
        for (; i < len; i++) set(y, yOff + i, exp(get(x, xOff + i)));
    }

    /**
     * {@link #log1p(FloatVector)} over x in two passes per chunk (log1pFinite into the scratch,
     * then the three special-case blends into y): in one loop the last blends were cut off by
     * C2's node budget and boxed. Same operations, same order, same bits. y may alias x.
     */
    private static void log1p(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        int i = chunked(LOG1P_PASSES, S.loopBound(len), x, xOff, y, yOff);
        for (; i < len; i++) set(y, yOff + i, log1p(get(x, xOff + i)));
    }

    private static final ChunkPass[] LOG1P_PASSES = {
            (n, x, xOff, scratch, y, yOff) -> log1pFiniteLoadPass(n, x, xOff, scratch),
            SimdMath::log1pBlendPass,
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
    private static void softplus(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
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
            SimdMath::softplusBlendPass,
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

    private static void sigmoid(int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
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

    // ------------------------------------------------------------------ rows

    /** max over row [row, row + cols): vectors, then a masked tail. */
    private static float rowMax(MemorySegment x, long row, int cols) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int bound = S.loopBound(cols), j = 0;
        for (; j < bound; j += L) m = m.max(load(x, row + j));
        if (j < cols) {
            VectorMask<Float> tail = S.indexInRange(j, cols);
            m = m.max(FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).blend(load(x, row + j, tail), tail));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * Σ exp(x − max) over the row; when {@code y} is not null also writes the exponentials there.
     * Partial sums are float vectors reduced to double every BLOCK floats (error ≲ γ₁₆ relative).
     */
    private static double rowExpSum(MemorySegment x, long row, int cols, float max, MemorySegment y, long yRow) {
        double total = 0;
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(cols), j = 0;
        for (; j < bound; j += L) {
            FloatVector e = exp(load(x, row + j).sub(max));
            if (y != null) store(e, y, yRow + j);
            acc = acc.add(e);
            if ((j + L) % BLOCK == 0) {
                total += widenedSum(acc);
                acc = FloatVector.zero(S);
            }
        }
        if (j < cols) {
            VectorMask<Float> tail = S.indexInRange(j, cols);
            // Masked-off lanes load 0 and would give exp(0 − max): zero them after the exp.
            FloatVector e = exp(load(x, row + j, tail).sub(max));
            e = FloatVector.zero(S).blend(e, tail);
            if (y != null) store(e, y, yRow + j, tail);
            acc = acc.add(e);
        }
        return total + widenedSum(acc);
    }

    /** Rows up to this many columns go L at a time, transposed (see {@link #rowsTransposed}). */
    static final int TRANSPOSED_MAX_COLS = 4 * L;

    // x, y: (rows, cols); y may alias x (each row is read fully before it is written)
    static void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (cols <= TRANSPOSED_MAX_COLS) {
            rowsTransposed(false, rows, cols, x, xOff, y, yOff);
            return;
        }
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = rowMax(x, xr, cols);
            float inv = (float) (1.0 / rowExpSum(x, xr, cols, max, y, yr));
            int j = 0;
            for (; j < bound; j += L) store(load(y, yr + j).mul(inv), y, yr + j);
            if (j < cols) {
                VectorMask<Float> tail = S.indexInRange(j, cols);
                store(load(y, yr + j, tail).mul(inv), y, yr + j, tail);
            }
        }
    }

    static void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (cols <= TRANSPOSED_MAX_COLS) {
            rowsTransposed(true, rows, cols, x, xOff, y, yOff);
            return;
        }
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = rowMax(x, xr, cols);
            float logZ = max + (float) Math.log(rowExpSum(x, xr, cols, max, null, 0));
            int j = 0;
            for (; j < bound; j += L) store(load(x, xr + j).sub(logZ), y, yr + j);
            if (j < cols) {
                VectorMask<Float> tail = S.indexInRange(j, cols);
                store(load(x, xr + j, tail).sub(logZ), y, yr + j, tail);
            }
        }
    }

    /** Per thread: L rows of up to TRANSPOSED_MAX_COLS floats, and their exponentials (softmax). */
    private static final class RowScratch {
        final float[] buf = new float[L * TRANSPOSED_MAX_COLS], exps = new float[L * TRANSPOSED_MAX_COLS];
    }

    private static final ThreadLocal<RowScratch> ROW_SCRATCH = ThreadLocal.withInitial(RowScratch::new);
    /** COLUMN[cols][t] = t·cols: lane t of a gathered column reads row t of the block. */
    private static final int[][] COLUMN = new int[TRANSPOSED_MAX_COLS + 1][];
    /** EXPAND[cols][i]: lane l of output vector i belongs to row (i·L + l) / cols. Made once, not per call. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[][] EXPAND = new VectorShuffle[TRANSPOSED_MAX_COLS + 1][];

    static {
        for (int cols = 1; cols <= TRANSPOSED_MAX_COLS; cols++) {
            int c = cols;
            COLUMN[cols] = new int[L];
            for (int t = 0; t < L; t++) COLUMN[cols][t] = t * cols;
            EXPAND[cols] = (VectorShuffle<Float>[]) new VectorShuffle[cols];
            for (int i = 0; i < cols; i++) {
                int first = i * L;
                EXPAND[cols][i] = VectorShuffle.fromOp(S, l -> (first + l) / c);
            }
        }
    }

    /**
     * Softmax (log = false) or log-softmax of short rows, L rows at a time. A row of 10 is less
     * than one vector, so row by row every row costs two horizontal reductions (max, sum) and a
     * scalar log or division. Here the L·cols floats of L rows are copied to a heap buffer and
     * column j of the L rows is gathered as one vector (lane t = row t): the max, the sum of
     * exponentials, the log or the reciprocal are lanewise, summed in column order (so the same
     * bits in every JIT tier, unlike a reduceLanes whose order C2 may choose). Softmax keeps the
     * L·cols exponentials transposed, scales them by 1/Σ and scatters them back into the buffer
     * in memory order, copied out in one piece. Log-softmax writes x − log Z straight in memory
     * order: the L·cols floats are exactly cols vectors, and vector i needs, in lane l, log Z of
     * row (i·L + l) / cols: a fixed permutation ({@code rearrange}, one instruction) of the
     * per-row vector. The last partial block leaves stale values in the buffer's unused rows
     * (lanes computed, never stored).
     */
    private static void rowsTransposed(boolean log, int rows, int cols, MemorySegment x, long xOff,
                                       MemorySegment y, long yOff) {
        if (rows == 0) return;
        RowScratch sc = ROW_SCRATCH.get();
        float[] buf = sc.buf, exps = sc.exps;
        int[] column = COLUMN[cols];                                // lane t reads row t
        VectorShuffle<Float>[] expand = EXPAND[cols];               // vector i, lane l: row (i·L + l) / cols
        for (int r0 = 0; r0 < rows; r0 += L) {
            int count = Math.min(L, rows - r0) * cols;              // floats of this block
            long xb = xOff + (long) r0 * cols, yb = yOff + (long) r0 * cols;
            MemorySegment.copy(x, F, xb * Float.BYTES, buf, 0, count);
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < cols; j++) max = max.max(FloatVector.fromArray(S, buf, j, column, 0));
            FloatVector sum = FloatVector.zero(S);
            if (!log) {
                // softmax: e^(x − max) once, kept transposed, then scaled and scattered back
                for (int j = 0; j < cols; j++) {
                    FloatVector e = exp(FloatVector.fromArray(S, buf, j, column, 0).sub(max));
                    e.intoArray(exps, j * L);
                    sum = sum.add(e);
                }
                FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
                for (int j = 0; j < cols; j++) FloatVector.fromArray(S, exps, j * L).mul(inv).intoArray(buf, j, column, 0);
                MemorySegment.copy(buf, 0, y, F, yb * Float.BYTES, count);
                continue;
            }
            for (int j = 0; j < cols; j++) sum = sum.add(exp(FloatVector.fromArray(S, buf, j, column, 0).sub(max)));
            // per row: log Z = max + ln Σ (Σ ≥ 1, normal)
            FloatVector perRow = max.add(logPositive(sum));
            for (int i = 0, e0 = 0; e0 < count; i++, e0 += L) {
                VectorShuffle<Float> rowOfLane = expand[i];
                FloatVector v;
                if (e0 + L <= count) v = FloatVector.fromArray(S, buf, e0);
                else v = FloatVector.fromArray(S, buf, e0, S.indexInRange(e0, count));
                FloatVector out = v.sub(perRow.rearrange(rowOfLane));
                if (e0 + L <= count) store(out, y, yb + e0);
                else store(out, y, yb + e0, S.indexInRange(e0, count));
            }
        }
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
