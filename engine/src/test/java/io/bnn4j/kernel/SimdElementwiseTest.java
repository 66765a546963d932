package io.bnn4j.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API elementwise kernels against their scalar twins (the oracle), on random inputs
 * of awkward sizes, at unaligned offsets, aliased where the contract allows, and at extremes;
 * plus known answers, since two implementations can be wrong together.
 *
 * <p>Tolerances. Kernels built only from +, −, ×, ÷ and sqrt evaluate the same expression in
 * the same order in both backends (no fused multiply-add; IEEE ops are correctly rounded), so
 * they must agree bit for bit. Kernels with exp/log1p use SimdPolynomials' float polynomials
 * against double {@code Math} rounded once to float: the polynomials are within 1 ulp of Math
 * (measured in SimdPolynomialsTest), the scalar within 0.5 ulp, and the few further float roundings (1 + e, a division, a product) add ≤ 0.5 ulp
 * each plus the error of e propagated through them (a factor ≤ 1 for softplus and sigmoid), so
 * {@link #TRANSCENDENTAL_ULPS} = 4 ulps bounds them; values that underflow to the subnormal
 * range are compared with an absolute floor of {@link Float#MIN_NORMAL}.
 */
class SimdElementwiseTest {

    static final int TRANSCENDENTAL_ULPS = 4;
    static final Kernels SCALAR = Kernels.scalar();
    static final Kernels SIMD = Kernels.simd();
    /** Float lanes of the SIMD backend, from its name "simd-<bits>" (tests stay free of jdk.incubator.vector). */
    static final int L = Integer.parseInt(SIMD.name().substring("simd-".length())) / Float.SIZE;

    /** Awkward lengths: 0, 1, primes, lane count ± 1, the sum block (64·L) ± 1, large. */
    static final int[] SIZES = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 37, 101, L - 1, L + 1, 4 * L + 3,
            64 * L - 1, 64 * L, 64 * L + 1, 128 * L + 13, 1021, 4099, 100_003};
    static final int OFF = 3;   // unaligned start in every segment

    final Random random = new Random(20261127);

    static MemorySegment segment(float[] values) {
        MemorySegment s = Arena.ofAuto().allocate((long) (values.length + 2 * OFF) * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, (long) OFF * Float.BYTES, values.length);
        return s;
    }

    static float[] read(MemorySegment s, int len) {
        float[] out = new float[len];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, (long) OFF * Float.BYTES, out, 0, len);
        return out;
    }

    float[] uniform(int len, float lo, float hi) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = lo + (hi - lo) * random.nextFloat();
        return v;
    }

    static void assertBitEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + " differs at " + i + ": scalar " + expected[i] + ", simd " + actual[i]);
            }
        }
    }

    /** Distance in representable floats (0 when equal, including both NaN). */
    static long ulpDistance(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        if (a == b) return 0;
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? -(long) (bits & 0x7fffffff) : bits;
    }

    static void assertUlps(float[] expected, float[] actual, int ulps, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (ulpDistance(e, a) <= ulps) continue;
            if (Float.isFinite(e) && Math.abs(e - a) <= Float.MIN_NORMAL) continue;
            fail(what + " at " + i + ": scalar " + e + ", simd " + a + " (" + ulpDistance(e, a) + " ulps)");
        }
    }

    // ------------------------------------------------------------------ the backend itself

    @Test
    void vectorBackendIsReallyInUse() {
        // A silent fallback to scalar would be a 10x slowdown nobody notices.
        assertTrue(Kernels.instance().isSimd(), "Kernels.instance() fell back to " + Kernels.instance().name());
        assertTrue(SIMD.name().startsWith("simd-"), SIMD.name());
    }

    // ------------------------------------------------------------------ unary

    @Test
    void exactUnaryOpsMatchBitForBit() {
        for (UnaryOp op : new UnaryOp[]{UnaryOp.RELU, UnaryOp.SQUARE, UnaryOp.SQRT}) {
            for (int n : SIZES) {
                float[] x = op == UnaryOp.SQRT ? uniform(n, 0f, 100f) : uniform(n, -3f, 3f);
                if (n > 2) { x[0] = -0f; x[1] = 0f; }
                compareUnary(op, x, 0);
            }
        }
    }

    @Test
    void transcendentalUnaryOpsWithinUlps() {
        for (UnaryOp op : new UnaryOp[]{UnaryOp.EXP, UnaryOp.LOG1P, UnaryOp.SOFTPLUS, UnaryOp.SIGMOID}) {
            for (int n : SIZES) {
                float[] x = switch (op) {
                    case EXP -> uniform(n, -87f, 88f);
                    case LOG1P -> uniform(n, -0.999f, 1000f);
                    default -> uniform(n, -30f, 30f);          // crosses both softplus branches at ±20
                };
                compareUnary(op, x, TRANSCENDENTAL_ULPS);
            }
        }
    }

    @Test
    void smallLog1pAndExpArgumentsKeepRelativeAccuracy() {
        float[] x = new float[257];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((i - 128) * 1e-7);  // log1p(x) ≈ x, exp(x) ≈ 1 + x
        compareUnary(UnaryOp.LOG1P, x, TRANSCENDENTAL_ULPS);
        compareUnary(UnaryOp.EXP, x, TRANSCENDENTAL_ULPS);
    }

    @Test
    void softplusAndSigmoidAreStableAtExtremes() {
        float[] x = {-100f, 100f, -20f, 20f, -20.5f, 20.5f, -19.5f, 19.5f, -88f, 88f, -1e30f, 1e30f,
                0f, -0f, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f, -1e-30f, -87f, 87f, 5f, -5f};
        for (UnaryOp op : new UnaryOp[]{UnaryOp.SOFTPLUS, UnaryOp.SIGMOID}) {
            float[] simd = compareUnary(op, x, TRANSCENDENTAL_ULPS);
            for (float v : simd) assertTrue(Float.isFinite(v) && v >= 0f, op + " gave " + v);
        }
        float[] sp = runUnary(SIMD, UnaryOp.SOFTPLUS, new float[]{100f, -100f, 0f, 1e30f});
        assertEquals(100f, sp[0]);
        assertTrue(sp[1] >= 0f && sp[1] < 1e-40f);
        assertEquals((float) Math.log(2), sp[2], 1e-7f);
        assertEquals(1e30f, sp[3]);
        float[] sg = runUnary(SIMD, UnaryOp.SIGMOID, new float[]{100f, -100f, 0f, -1e30f});
        assertEquals(1f, sg[0]);
        assertTrue(sg[1] >= 0f && sg[1] < 1e-40f);
        assertEquals(0.5f, sg[2]);
        assertEquals(0f, sg[3]);
    }

    @Test
    void unaryMayWorkInPlace() {
        for (UnaryOp op : UnaryOp.values()) {
            float[] x = op == UnaryOp.SQRT || op == UnaryOp.LOG1P ? uniform(37, 0f, 5f) : uniform(37, -5f, 5f);
            MemorySegment s = segment(x);
            SIMD.unary(op, x.length, s, OFF, s, OFF);
            float[] expected = runUnary(SCALAR, op, x);
            assertUlps(expected, read(s, x.length), TRANSCENDENTAL_ULPS, op + " in place");
        }
    }

    private float[] runUnary(Kernels k, UnaryOp op, float[] x) {
        MemorySegment xs = segment(x), ys = segment(new float[x.length]);
        k.unary(op, x.length, xs, OFF, ys, OFF);
        return read(ys, x.length);
    }

    private float[] compareUnary(UnaryOp op, float[] x, int ulps) {
        float[] expected = runUnary(SCALAR, op, x);
        float[] actual = runUnary(SIMD, op, x);
        if (ulps == 0) assertBitEqual(expected, actual, op + " n=" + x.length);
        else assertUlps(expected, actual, ulps, op + " n=" + x.length);
        return actual;
    }

    // ------------------------------------------------------------------ activation backward

    @Test
    void activationBackwardMatchesScalar() {
        for (UnaryOp op : new UnaryOp[]{UnaryOp.RELU, UnaryOp.SOFTPLUS, UnaryOp.SIGMOID}) {
            for (int n : SIZES) {
                float[] x = uniform(n, -30f, 30f), dy = uniform(n, -2f, 2f);
                if (n > 2) { x[0] = 0f; x[1] = -0f; }
                float[] expected = activationBackward(SCALAR, op, x, dy, false);
                float[] actual = activationBackward(SIMD, op, x, dy, false);
                float[] aliased = activationBackward(SIMD, op, x, dy, true);
                // RELU is a product with 0 or 1: exact. σ(x)·σ(−x)·dy in SIMD float: e^−|x| (1 ulp,
                // damped by ≤ 1 in each factor), 1 + e (0.5 ulp into both factors), two divisions,
                // two products (0.5 each); the scalar rounds σ twice and multiplies twice: ≤ 6 ulps
                // in all, 8 with margin.
                int ulps = op == UnaryOp.RELU ? 0 : op == UnaryOp.SIGMOID ? 8 : TRANSCENDENTAL_ULPS;
                if (ulps == 0) assertBitEqual(expected, actual, op + "' n=" + n);
                else assertUlps(expected, actual, ulps, op + "' n=" + n);
                assertBitEqual(actual, aliased, op + "' aliased n=" + n);
            }
        }
    }

    private float[] activationBackward(Kernels k, UnaryOp op, float[] x, float[] dy, boolean inPlace) {
        MemorySegment xs = segment(x), dys = segment(dy), dxs = inPlace ? dys : segment(new float[x.length]);
        k.activationBackward(op, x.length, xs, OFF, dys, OFF, dxs, OFF);
        return read(dxs, x.length);
    }

    // ------------------------------------------------------------------ axpy, mul, scale

    @Test
    void axpyMulScaleMatchBitForBit() {
        for (int n : SIZES) {
            float[] x = uniform(n, -4f, 4f), y = uniform(n, -4f, 4f);
            float alpha = -0.37f;
            assertBitEqual(binary(SCALAR, x, y, (k, s) -> k.axpy(n, alpha, s[0], OFF, s[1], OFF), 1),
                    binary(SIMD, x, y, (k, s) -> k.axpy(n, alpha, s[0], OFF, s[1], OFF), 1), "axpy n=" + n);
            assertBitEqual(binary(SCALAR, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[2], OFF), 2),
                    binary(SIMD, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[2], OFF), 2), "mul n=" + n);
            // z aliasing x, then y
            assertBitEqual(binary(SCALAR, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[2], OFF), 2),
                    binary(SIMD, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[0], OFF), 0), "mul z=x n=" + n);
            assertBitEqual(binary(SCALAR, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[2], OFF), 2),
                    binary(SIMD, x, y, (k, s) -> k.mul(n, s[0], OFF, s[1], OFF, s[1], OFF), 1), "mul z=y n=" + n);
            assertBitEqual(binary(SCALAR, x, y, (k, s) -> k.scale(n, alpha, s[0], OFF), 0),
                    binary(SIMD, x, y, (k, s) -> k.scale(n, alpha, s[0], OFF), 0), "scale n=" + n);
        }
    }

    /** Runs op on segments {x, y, zeros} with the kernels k and returns segment {@code result}. */
    private static float[] binary(Kernels k, float[] x, float[] y, java.util.function.BiConsumer<Kernels, MemorySegment[]> op, int result) {
        MemorySegment[] s = {segment(x), segment(y), segment(new float[x.length])};
        op.accept(k, s);
        return read(s[result], x.length);
    }

    // ------------------------------------------------------------------ sums

    @Test
    void sumsWithinTheirErrorBound() {
        for (int n : SIZES) {
            float[] x = uniform(n, -1f, 3f);
            MemorySegment s = segment(x);
            double exact = 0, exactSq = 0, abs = 0;
            for (float v : x) { exact += v; exactSq += (double) v * v; abs += Math.abs(v); }
            // SIMD: each float lane adds ≤ 16 terms per block → ≤ γ₁₆·Σ|x| (γ₁₆ ≈ 16·2⁻²⁴), plus the
            // double accumulation (n·2⁻⁵³·Σ|x|, also the scalar's error). Σx² is a sum of positive
            // terms with one rounding each (fma), the same bound with Σx².
            double tolSum = (16 * 0x1p-24 + 2 * n * 0x1p-53) * abs + 1e-300;
            double tolSq = (16 * 0x1p-24 + 2 * n * 0x1p-53) * exactSq + 1e-300;
            assertEquals(SCALAR.sum(n, s, OFF), SIMD.sum(n, s, OFF), 2 * tolSum, "sum n=" + n);
            assertEquals(exact, SIMD.sum(n, s, OFF), tolSum, "sum vs exact n=" + n);
            assertEquals(exactSq, SIMD.sumOfSquares(n, s, OFF), tolSq, "sumOfSquares n=" + n);
            assertEquals(SCALAR.sumOfSquares(n, s, OFF), SIMD.sumOfSquares(n, s, OFF), 2 * tolSq, "sumOfSquares n=" + n);
        }
    }

    @Test
    void sumIsNotAPlainFloatSum() {
        // 1e8 ones plus 1: a single float accumulator stalls at 2²⁴; per-block double flushing must not.
        int n = 3_000_000;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1f);
        MemorySegment s = segment(x);
        assertEquals(n, SIMD.sum(n, s, OFF));
        assertEquals(n, SIMD.sumOfSquares(n, s, OFF));
    }

    // ------------------------------------------------------------------ bias over channels

    static final int[][] BIAS_SHAPES = {{0, 3, 5}, {1, 1, 1}, {2, 3, 7}, {3, 5, 1}, {4, 17, 1}, {7, 9, 1},
            {2, 6, 784}, {3, 16, 100}, {5, 2, 9}, {2, 3, 17}, {33, 10, 1}, {40, 120, 1}, {2, 1, 2 * L + 1},
            {3, 4, L - 1}, {2, 5, L + 1}, {1, L + 1, 1}, {2, L - 1, 1}};

    @Test
    void addChannelBiasMatchesBitForBit() {
        for (int[] shape : BIAS_SHAPES) {
            int n = shape[0], c = shape[1], sp = shape[2], len = n * c * sp;
            float[] y = uniform(len, -2f, 2f), b = uniform(c, -1f, 1f);
            MemorySegment ys = segment(y), ys2 = segment(y), bs = segment(b);
            SCALAR.addChannelBias(n, c, sp, ys, OFF, bs, OFF);
            SIMD.addChannelBias(n, c, sp, ys2, OFF, bs, OFF);
            assertBitEqual(read(ys, len), read(ys2, len), "addChannelBias " + java.util.Arrays.toString(shape));
        }
    }

    /** The fused sample equals addChannelBias on mu and var then lrtSample, bit for bit, in both backends. */
    @Test
    void lrtSampleBiasEqualsBiasThenSampleBitForBit() {
        for (int[] shape : BIAS_SHAPES) {
            int n = shape[0], c = shape[1], sp = shape[2], len = n * c * sp;
            String what = "lrtSampleBias " + java.util.Arrays.toString(shape);
            float[] mu = uniform(len, -1f, 1f), var = uniform(len, 1e-6f, 2f), eps = uniform(len, -3f, 3f);
            float[] bMu = uniform(c, -1f, 1f), bVar = uniform(c, 1e-6f, 0.5f);
            MemorySegment m0 = segment(mu), v0 = segment(var), y0 = segment(new float[len]);
            SCALAR.addChannelBias(n, c, sp, m0, OFF, segment(bMu), OFF);
            SCALAR.addChannelBias(n, c, sp, v0, OFF, segment(bVar), OFF);
            SCALAR.lrtSample(len, m0, OFF, v0, OFF, segment(eps), OFF, y0, OFF);
            for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
                MemorySegment m = segment(mu), v = segment(var), y = segment(new float[len]);
                k.lrtSampleBias(n, c, sp, m, OFF, v, OFF, segment(bMu), OFF, segment(bVar), OFF, segment(eps), OFF, y, OFF);
                assertBitEqual(read(y0, len), read(y, len), what + " y, " + k);
                assertBitEqual(read(v0, len), read(v, len), what + " var, " + k);
                assertBitEqual(mu, read(m, len), what + " mu untouched, " + k);
                MemorySegment alias = segment(mu);                 // y aliasing mu
                k.lrtSampleBias(n, c, sp, alias, OFF, segment(var), OFF, segment(bMu), OFF, segment(bVar), OFF, segment(eps), OFF, alias, OFF);
                assertBitEqual(read(y0, len), read(alias, len), what + " y=mu, " + k);
            }
        }
    }

    @Test
    void channelBiasGradWithinSumBound() {
        for (int[] shape : BIAS_SHAPES) {
            int n = shape[0], c = shape[1], sp = shape[2], len = n * c * sp;
            float[] dy = uniform(len, -2f, 2f);
            MemorySegment dys = segment(dy), d1 = segment(new float[c]), d2 = segment(new float[c]);
            SCALAR.channelBiasGrad(n, c, sp, dys, OFF, d1, OFF);
            SIMD.channelBiasGrad(n, c, sp, dys, OFF, d2, OFF);
            float[] expected = read(d1, c), actual = read(d2, c);
            for (int ch = 0; ch < c; ch++) {
                double abs = 0;
                for (int i = 0; i < n; i++) for (int s = 0; s < sp; s++) abs += Math.abs(dy[(i * c + ch) * sp + s]);
                // The sum bound (γ₁₆·Σ|dy|), plus one float rounding of each result.
                double tol = 16 * 0x1p-24 * abs + Math.ulp(expected[ch]);
                assertEquals(expected[ch], actual[ch], tol, "db[" + ch + "] " + java.util.Arrays.toString(shape));
            }
        }
    }

    // ------------------------------------------------------------------ rows

    static final int[][] ROW_SHAPES = {{0, 10}, {1, 1}, {3, 1}, {1, 2}, {256, 10}, {5, 7}, {4, L}, {4, L - 1},
            {4, L + 1}, {2, 17}, {3, 100}, {2, 1000}, {1, 64 * L + 5}, {7, 3}};

    @Test
    void softmaxRowsMatchesScalar() {
        for (int[] shape : ROW_SHAPES) {
            int rows = shape[0], cols = shape[1], len = rows * cols;
            float[] x = uniform(len, -20f, 20f);
            float[] expected = rowsOp(SCALAR, true, rows, cols, x, false);
            float[] actual = rowsOp(SIMD, true, rows, cols, x, false);
            // exp within ~2 ulps each, the float row sum within γ₁₆, one product with 1/sum:
            // ≤ 32·2⁻²⁴ relative with margin; outputs that underflow compare absolutely.
            for (int i = 0; i < len; i++) {
                assertEquals(expected[i], actual[i], 32 * 0x1p-24 * Math.abs(expected[i]) + Float.MIN_NORMAL,
                        "softmax " + rows + "x" + cols + " at " + i);
            }
            assertBitEqual(actual, rowsOp(SIMD, true, rows, cols, x, true), "softmax in place " + rows + "x" + cols);
            for (int r = 0; r < rows; r++) {
                double total = 0;
                for (int j = 0; j < cols; j++) total += actual[r * cols + j];
                assertEquals(1.0, total, 1e-5, "row sum");
            }
        }
    }

    @Test
    void logSoftmaxRowsMatchesScalar() {
        for (int[] shape : ROW_SHAPES) {
            int rows = shape[0], cols = shape[1], len = rows * cols;
            float[] x = uniform(len, -20f, 20f);
            float[] expected = rowsOp(SCALAR, false, rows, cols, x, false);
            float[] actual = rowsOp(SIMD, false, rows, cols, x, false);
            // y = x − logZ; logZ = max + log(Σ) differs by the sum's relative error (≤ 32·2⁻²⁴,
            // an absolute error in the log) and its rounding at the magnitude of max (≤ 20 here).
            for (int i = 0; i < len; i++) {
                double tol = 32 * 0x1p-24 + 2 * Math.ulp(20f) + Math.ulp(expected[i]);
                assertEquals(expected[i], actual[i], tol, "logSoftmax " + rows + "x" + cols + " at " + i);
            }
            assertBitEqual(actual, rowsOp(SIMD, false, rows, cols, x, true), "logSoftmax in place " + rows + "x" + cols);
        }
    }

    @Test
    void softmaxKnownAnswerAndHugeLogits() {
        float ln2 = (float) Math.log(2);
        for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
            float[] y = rowsOp(k, true, 1, 2, new float[]{0f, ln2}, false);
            assertEquals(1f / 3, y[0], 1e-7f, k.name());
            assertEquals(2f / 3, y[1], 1e-7f, k.name());
            float[] ly = rowsOp(k, false, 1, 2, new float[]{0f, ln2}, false);
            assertEquals((float) Math.log(1.0 / 3), ly[0], 1e-6f, k.name());
            assertEquals((float) Math.log(2.0 / 3), ly[1], 1e-6f, k.name());

            // Logits near the float limits: no overflow, no NaN, one-hot.
            float[] huge = {1e30f, -1e30f, 0f, 3e38f, -3e38f, 2.9e38f, 1f, 2f, 3f, 4f};
            float[] s = rowsOp(k, true, 1, huge.length, huge, false);
            for (float v : s) assertTrue(Float.isFinite(v) && v >= 0f, k.name() + " softmax " + v);
            assertEquals(1f, s[3], 1e-7f);
            float[] ls = rowsOp(k, false, 1, huge.length, huge, false);
            for (float v : ls) assertFalse(Float.isNaN(v), k.name() + " log-softmax NaN");
            assertEquals(0f, ls[3], 1e-7f);
        }
    }

    private static float[] rowsOp(Kernels k, boolean softmax, int rows, int cols, float[] x, boolean inPlace) {
        MemorySegment xs = segment(x), ys = inPlace ? xs : segment(new float[x.length]);
        if (softmax) k.softmaxRows(rows, cols, xs, OFF, ys, OFF);
        else k.logSoftmaxRows(rows, cols, xs, OFF, ys, OFF);
        return read(ys, x.length);
    }

    // ------------------------------------------------------------------ local reparameterization

    @Test
    void lrtSampleAndBackwardMatchBitForBit() {
        for (int n : SIZES) {
            float[] mu = uniform(n, -1f, 1f), var = uniform(n, 1e-6f, 2f), eps = uniform(n, -3f, 3f), dy = uniform(n, -1f, 1f);
            float[][] results = new float[3][];
            int r = 0;
            for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
                MemorySegment m = segment(mu), v = segment(var), e = segment(eps), y = segment(new float[n]);
                k.lrtSample(n, m, OFF, v, OFF, e, OFF, y, OFF);
                results[r++] = read(y, n);
            }
            assertBitEqual(results[0], results[1], "lrtSample n=" + n);
            MemorySegment m = segment(mu);                       // y aliasing mu
            SIMD.lrtSample(n, m, OFF, segment(var), OFF, segment(eps), OFF, m, OFF);
            assertBitEqual(results[0], read(m, n), "lrtSample y=mu n=" + n);

            float[][] grads = new float[2][];
            r = 0;
            for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
                MemorySegment d = segment(new float[n]);
                k.lrtBackward(n, segment(dy), OFF, segment(var), OFF, segment(eps), OFF, d, OFF);
                grads[r++] = read(d, n);
            }
            assertBitEqual(grads[0], grads[1], "lrtBackward n=" + n);
        }
    }

    // ------------------------------------------------------------------ Adam

    @Test
    void adamStepMatchesBitForBit() {
        for (int n : SIZES) {
            float[] p = uniform(n, -1f, 1f), g = uniform(n, -0.1f, 0.1f), m = uniform(n, -0.01f, 0.01f), v = uniform(n, 0f, 1e-4f);
            float[][] out = new float[2][];
            int r = 0;
            for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
                MemorySegment ps = segment(p), gs = segment(g), ms = segment(m), vs = segment(v);
                for (int t = 1; t <= 3; t++) {
                    float c1 = (float) (1 - Math.pow(0.9, t)), c2 = (float) (1 - Math.pow(0.999, t));
                    k.adamStep(n, ps, OFF, gs, OFF, ms, OFF, vs, OFF, 1e-3f, 0.9f, 0.999f, 1e-8f, c1, c2);
                }
                float[] all = new float[3 * n];
                System.arraycopy(read(ps, n), 0, all, 0, n);
                System.arraycopy(read(ms, n), 0, all, n, n);
                System.arraycopy(read(vs, n), 0, all, 2 * n, n);
                out[r++] = all;
            }
            assertBitEqual(out[0], out[1], "adam n=" + n);
        }
    }

    @Test
    void adamOneStepByHand() {
        // p = 1, g = 0.5, m = v = 0, t = 1: m = (1 − β1)·0.5, v = (1 − β2)·0.25 (≈ 0.05 and
        // 0.00025, with the float values of 1 − 0.9 and 1 − 0.999), m̂ = 0.5, v̂ = 0.25,
        // p = 1 − 0.1·0.5 / (0.5 + 1e-8) = 0.9 (to 2e-8).
        for (Kernels k : new Kernels[]{SCALAR, SIMD}) {
            int n = 11;                                    // a vector and a tail on AVX2
            float[] p = new float[n], g = new float[n];
            java.util.Arrays.fill(p, 1f);
            java.util.Arrays.fill(g, 0.5f);
            MemorySegment ps = segment(p), gs = segment(g), ms = segment(new float[n]), vs = segment(new float[n]);
            k.adamStep(n, ps, OFF, gs, OFF, ms, OFF, vs, OFF, 0.1f, 0.9f, 0.999f, 1e-8f, 1f - 0.9f, 1f - 0.999f);
            for (int i = 0; i < n; i++) {
                // float 1 − 0.9 = 0.100000024: a few ulps of relative slack on each.
                assertEquals(0.9f, read(ps, n)[i], 1e-6f, k.name());
                assertEquals((1f - 0.9f) * 0.5f, read(ms, n)[i], 0f, k.name());
                assertEquals((1f - 0.999f) * 0.25f, read(vs, n)[i], 0f, k.name());
                assertEquals(0.05f, read(ms, n)[i], 3e-8f, k.name());
                assertEquals(0.00025f, read(vs, n)[i], 1e-8f, k.name());
            }
        }
    }
}
