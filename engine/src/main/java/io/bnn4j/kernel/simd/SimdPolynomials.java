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

/**
 * Float exp, log1p, log, softplus, sigmoid and sigmoid' as vector functions, each with a scalar
 * twin (the same operations in the same order, for the scalar tails): within 1 ulp of the
 * correctly rounded value for exp, log1p and log, 2 for softplus and sigmoid (measured over the
 * float range, SimdPolynomialsTest).
 *
 * <p>Why not VectorOperators.EXP/LOG1P: those are SVML stubs once C2 has compiled the loop and a
 * per-lane Math fallback before (interpreter, C1), an ulp apart now and then, so σ = softplus(ρ)
 * depended on the JIT state. These are built from +, −, ×, FMA and bit operations, exact in
 * every tier: a result depends on the input only.
 */
final class SimdPolynomials {

    private SimdPolynomials() {}

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
}
