package io.bnn4j.random;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The vectorized Gaussian and Rademacher fills: agreement with the scalar Philox reference,
 * independence from start, length and thread count, and the statistics of 2²⁰ draws.
 *
 * <p>Statistical bounds are 5 standard errors (computed below from N, not tuned), or a p-value
 * below 1e-4 for the KS and chi-squared tests. The seeds are fixed, so the tests are
 * deterministic; the negative controls show each statistic notices a defect of the size that
 * would matter.
 */
class GaussianFillTest {

    static final Kernels SCALAR = Kernels.scalar();
    static final Kernels SIMD = Kernels.simd();
    static final int N = 1 << 20;
    static final long SEED = 0x5EED_2026_1127L;

    static Parallel two, seven;

    @BeforeAll
    static void pools() {
        two = new Parallel(2);
        seven = new Parallel(7);
    }

    @AfterAll
    static void closePools() {
        two.close();
        seven.close();
    }

    static float[] fill(Kernels k, Parallel par, boolean gaussian, long seed, long stream, long counter, int len) {
        // dst at an odd float offset inside a larger segment: unaligned stores, bounds respected.
        MemorySegment s = Arena.ofAuto().allocate((len + 8L) * Float.BYTES, 64);
        s.fill((byte) 0x7f);
        if (gaussian) k.fillGaussian(par, seed, stream, counter, len, s, 3);
        else k.fillRademacher(par, seed, stream, counter, len, s, 3);
        float[] out = new float[len];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 3L * Float.BYTES, out, 0, len);
        for (int i = 0; i < 3; i++) assertEquals(0x7f7f7f7f, s.getAtIndex(ValueLayout.JAVA_INT, i), "wrote before dst");
        for (int i = len + 3; i < len + 8; i++) assertEquals(0x7f7f7f7f, s.getAtIndex(ValueLayout.JAVA_INT, i), "wrote after dst");
        return out;
    }

    static float[] gaussian(long seed, long stream, long counter, int len) {
        return fill(SIMD, Parallel.serial(), true, seed, stream, counter, len);
    }

    // ------------------------------------------------------------------ agreement with the reference

    /**
     * z = r·t with r = sqrt(−2 ln u) and t = cos a or sin a of the same float u and a in both.
     * The scalar rounds r, t and the product once each (≤ 1.5 ulps of z); the SIMD float log is
     * within 1 ulp (its relative error halves through the sqrt: 0.5), then sqrt, cos/sin (1 ulp)
     * and the product round (0.5 each): ≤ 4.5 ulps apart in all; {@value} with margin.
     */
    static final int GAUSSIAN_ULPS = 6;

    @Test
    void simdGaussianMatchesScalarReference() {
        Random r = new Random(42);
        int[] lengths = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 1021, 4099, 40_000};
        long maxUlps = 0;
        for (int len : lengths) {
            for (int trial = 0; trial < 3; trial++) {
                long seed = r.nextLong(), stream = r.nextInt(1000), counter = trial == 0 ? 0 : r.nextInt(1 << 20);
                float[] expected = fill(SCALAR, Parallel.serial(), true, seed, stream, counter, len);
                float[] actual = gaussian(seed, stream, counter, len);
                maxUlps = Math.max(maxUlps, assertClose(expected, actual, "len=" + len + " counter=" + counter));
            }
        }
        // One big fill, for the rare words: u near 0 (large |z|) and near 1 (z near 0).
        float[] expected = fill(SCALAR, Parallel.serial(), true, SEED, 1, 12345, 1 << 19);
        maxUlps = Math.max(maxUlps, assertClose(expected, gaussian(SEED, 1, 12345, 1 << 19), "big"));
        System.out.println("GaussianFillTest: max SIMD vs scalar difference " + maxUlps + " ulps");
    }

    @Test
    void countersWithHighWordsAndWrappingBlocksMatch() {
        // Block index low word wrapping inside one vector group, stream and seed high words set.
        long[][] cases = {{4L * (0x1_0000_0000L - 3) + 1, 1}, {4L * 0x1_0000_0000L - 5, 0x1_0000_0001L},
                {4L * 0x7fff_ffff_ffffL + 2, -1L}, {Long.MAX_VALUE - 200, 3}};
        for (long[] c : cases) {
            float[] expected = fill(SCALAR, Parallel.serial(), true, -7L, c[1], c[0], 150);
            assertClose(expected, gaussian(-7L, c[1], c[0], 150), "counter " + c[0]);
            assertArrayEquals(fill(SCALAR, Parallel.serial(), false, -7L, c[1], c[0], 150),
                    fill(SIMD, Parallel.serial(), false, -7L, c[1], c[0], 150));
        }
    }

    private static long assertClose(float[] expected, float[] actual, String what) {
        long max = 0;
        for (int i = 0; i < expected.length; i++) {
            long ulps = Math.abs(ordered(expected[i]) - ordered(actual[i]));
            assertTrue(Float.isFinite(actual[i]), what + " at " + i);
            // z is an exact 0 or subnormal only when r or t is; compare those absolutely.
            if (ulps > GAUSSIAN_ULPS && Math.abs(expected[i] - actual[i]) > Float.MIN_NORMAL) {
                fail(what + " at " + i + ": scalar " + expected[i] + ", simd " + actual[i] + " (" + ulps + " ulps)");
            }
            max = Math.max(max, ulps);
        }
        return max;
    }

    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? -(long) (bits & 0x7fffffff) : bits;
    }

    @Test
    void simdRademacherEqualsScalarExactly() {
        Random r = new Random(7);
        for (int len : new int[]{0, 1, 3, 5, 8, 31, 33, 100, 4099, 70_001}) {
            long seed = r.nextLong(), stream = r.nextInt(50), counter = r.nextInt(1 << 16);
            assertArrayEquals(fill(SCALAR, Parallel.serial(), false, seed, stream, counter, len),
                    fill(SIMD, Parallel.serial(), false, seed, stream, counter, len), "len=" + len);
        }
    }

    @Test
    void valueDependsOnlyOnTheIndexNotOnStartLengthOrThreads() {
        int len = 200_003;
        float[] reference = fill(SIMD, Parallel.serial(), true, SEED, 9, 1001, len);
        assertArrayEquals(reference, fill(SIMD, two, true, SEED, 9, 1001, len), "2 threads");
        assertArrayEquals(reference, fill(SIMD, seven, true, SEED, 9, 1001, len), "7 threads");
        float[] signs = fill(SIMD, Parallel.serial(), false, SEED, 9, 1001, len);
        assertArrayEquals(signs, fill(SIMD, seven, false, SEED, 9, 1001, len), "Rademacher, 7 threads");
        // Sub-ranges starting anywhere (not multiples of 4 or of a vector group) give the same bits.
        for (int start : new int[]{1, 2, 3, 5, 31, 33, 77, 1000}) {
            for (int sub : new int[]{1, 2, 6, 29, 64, 131}) {
                float[] part = fill(SIMD, Parallel.serial(), true, SEED, 9, 1001 + start, sub);
                assertArrayEquals(Arrays.copyOfRange(reference, start, start + sub), part, "start " + start + " len " + sub);
            }
        }
    }

    // ------------------------------------------------------------------ moments

    /** mean, variance, skewness, excess kurtosis. */
    static double[] moments(float[] z) {
        double mean = 0;
        for (float v : z) mean += v;
        mean /= z.length;
        double m2 = 0, m3 = 0, m4 = 0;
        for (float v : z) {
            double d = v - mean, d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        m2 /= z.length;
        m3 /= z.length;
        m4 /= z.length;
        return new double[]{mean, m2, m3 / Math.pow(m2, 1.5), m4 / (m2 * m2) - 3};
    }

    /** 5 standard errors of the moments of N(0, 1) from n draws: √(1/n), √(2/n), √(6/n), √(24/n). */
    static double[] momentBounds(int n) {
        return new double[]{5 * Math.sqrt(1.0 / n), 5 * Math.sqrt(2.0 / n), 5 * Math.sqrt(6.0 / n), 5 * Math.sqrt(24.0 / n)};
    }

    static boolean momentsLookNormal(float[] z) {
        double[] m = moments(z), b = momentBounds(z.length);
        return Math.abs(m[0]) < b[0] && Math.abs(m[1] - 1) < b[1] && Math.abs(m[2]) < b[2] && Math.abs(m[3]) < b[3];
    }

    @Test
    void momentsOfAMillionDrawsAreNormal() {
        float[] z = gaussian(SEED, 0, 0, N);
        double[] m = moments(z), b = momentBounds(N);
        assertEquals(0, m[0], b[0], "mean");
        assertEquals(1, m[1], b[1], "variance");
        assertEquals(0, m[2], b[2], "skewness");
        assertEquals(0, m[3], b[3], "excess kurtosis");
        for (float v : z) assertTrue(Math.abs(v) <= 5.78f, "|z| beyond the documented cut: " + v);
    }

    // ------------------------------------------------------------------ Kolmogorov-Smirnov

    /** Standard normal CDF via erfc (Numerical Recipes' erfcc, fractional error < 1.2e-7). */
    static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double erfc(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** KS statistic D = sup |F_n − Φ| of the sample (sorted in place). */
    static double ksStatistic(float[] z) {
        Arrays.sort(z);
        double d = 0;
        int n = z.length;
        for (int i = 0; i < n; i++) {
            double f = phi(z[i]);
            d = Math.max(d, Math.max((i + 1.0) / n - f, f - (double) i / n));
        }
        return d;
    }

    /** Asymptotic p-value P(√n·D > λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²} (Kolmogorov distribution). */
    static double ksPValue(double d, int n) {
        double lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;  // Stephens' small-n correction
        if (lambda < 0.2) return 1;
        double sum = 0;
        for (int k = 1; k <= 100; k++) sum += (k % 2 == 1 ? 2 : -2) * Math.exp(-2.0 * k * k * lambda * lambda);
        return Math.min(1, Math.max(0, sum));
    }

    @Test
    void ksPValueMatchesTheKnownCriticalValues() {
        // Kolmogorov critical values: λ = 1.3581 at α = 0.05, 1.9495 at α = 0.001.
        int n = 1_000_000;
        assertEquals(0.05, ksPValue(1.3581 / (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)), n), 1e-4);
        assertEquals(0.001, ksPValue(1.9495 / (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)), n), 1e-5);
        assertEquals(0.5, phi(0), 1e-7);
        assertEquals(0.9750021, phi(1.96), 2e-7);
    }

    @Test
    void kolmogorovSmirnovAgainstStandardNormal() {
        float[] z = gaussian(SEED, 1, 0, N);
        double p = ksPValue(ksStatistic(z), N);
        assertTrue(p > 1e-4, "KS p-value " + p);
    }

    @Test
    void negativeControlsShowTheTestsCanFail() {
        float[] z = gaussian(SEED, 2, 0, N);
        float[] shifted = z.clone(), wide = z.clone(), skewed = z.clone();
        for (int i = 0; i < N; i++) {
            shifted[i] += 0.02f;                 // a mean bias of 0.02 σ
            wide[i] *= 1.01f;                    // 2% too much variance
            if (skewed[i] > 2.5f) skewed[i] *= 1.1f;  // a fatter right tail
        }
        assertTrue(momentsLookNormal(z.clone()), "control sample");
        assertFalse(momentsLookNormal(shifted), "a 0.02 shift passed the moment test");
        assertFalse(momentsLookNormal(wide), "a 1% wider distribution passed the moment test");
        assertFalse(momentsLookNormal(skewed), "a fat right tail passed the moment test");
        assertTrue(ksPValue(ksStatistic(shifted), N) < 1e-4, "KS missed a 0.02 shift");
        // The uniform check catches a generator that loses one bit.
        int[] words = rawWords(SEED, 0, N);
        for (int i = 0; i < words.length; i++) words[i] &= 0xfeffffff;   // bit 24 stuck at 0
        assertTrue(chiSquaredZ(histogram(words, 16)) > 5, "chi-squared missed a stuck bit");
    }

    // ------------------------------------------------------------------ uniform words

    static int[] rawWords(long seed, long stream, int n) {
        int[] out = new int[n], w = new int[4];
        for (int b = 0; b < n / 4; b++) {
            Philox.words(seed, stream, b, w);
            System.arraycopy(w, 0, out, 4 * b, 4);
        }
        return out;
    }

    /** Counts of the 24-bit uniforms' bits [shift, shift + 8) in 256 bins. */
    static long[] histogram(int[] words, int shift) {
        long[] bins = new long[256];
        for (int w : words) {
            int k = w >>> 8;                                  // the 24 bits Philox.uniform uses
            bins[(k >>> shift) & 0xff]++;
        }
        return bins;
    }

    /** Chi-squared against equal bins, as a standard normal score (Wilson-Hilferty). */
    static double chiSquaredZ(long[] bins) {
        long total = 0;
        for (long b : bins) total += b;
        double expected = (double) total / bins.length, chi2 = 0;
        for (long b : bins) chi2 += (b - expected) * (b - expected) / expected;
        int df = bins.length - 1;
        return (Math.cbrt(chi2 / df) - (1 - 2.0 / (9 * df))) / Math.sqrt(2.0 / (9 * df));
    }

    @Test
    void uniformBitsAreEquidistributed() {
        int[] words = rawWords(SEED, 3, N);
        // High, middle and low bytes of the 24-bit uniform; |z| < 5 rejects too-good fits too.
        for (int shift : new int[]{16, 8, 0}) {
            double z = chiSquaredZ(histogram(words, shift));
            assertTrue(Math.abs(z) < 5, "chi-squared z " + z + " for bits " + shift + "..");
        }
        // And the floats themselves, as the SIMD path makes them (sign words of a Rademacher fill
        // are bit-exact with these words; the Gaussian agreement test covers the rest).
        long[] bins = new long[256];
        for (int w : words) bins[(int) ((Philox.uniform(w) - 0x1.0p-24f) * 256f)]++;   // u − 2⁻²⁴ = k/2²⁴ exactly
        assertTrue(Math.abs(chiSquaredZ(bins)) < 5, "uniform floats");
    }

    // ------------------------------------------------------------------ correlation

    static double correlation(float[] a, int aFrom, float[] b, int bFrom, int n) {
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[aFrom + i]; mb += b[bFrom + i]; }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[aFrom + i] - ma, y = b[bFrom + i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    void neighbouringStreamsAndElementsAreUncorrelated() {
        double bound = 5 / Math.sqrt(N);                      // 5 standard errors of a correlation
        float[] a = gaussian(SEED, 4, 0, N);
        for (long stream : new long[]{5, 0x1_0000_0000L}) {   // k + 1, and a stream differing in the high word
            float[] b = gaussian(SEED, stream, 0, N);
            assertEquals(0, correlation(a, 0, b, 0, N), bound, "stream 4 vs " + stream);
        }
        float[] otherSeed = gaussian(SEED + 1, 4, 0, N);
        assertEquals(0, correlation(a, 0, otherSeed, 0, N), bound, "seed vs seed + 1");
        for (int lag = 1; lag <= 4; lag++) {
            assertEquals(0, correlation(a, 0, a, lag, N - lag), bound, "lag " + lag);
        }
        // The two outputs of one Box-Muller pair share r: their squares must still be uncorrelated.
        float[] sq = new float[N];
        for (int i = 0; i < N; i++) sq[i] = a[i] * a[i];
        assertEquals(0, correlation(sq, 0, sq, 1, N - 1), bound, "lag 1 of z²");
    }

    // ------------------------------------------------------------------ Rademacher

    @Test
    void rademacherIsBalancedAndIndependent() {
        float[] s = fill(SIMD, Parallel.serial(), false, SEED, 6, 0, N);
        long plus = 0, agree = 0;
        for (int i = 0; i < N; i++) {
            assertTrue(s[i] == 1f || s[i] == -1f, "value " + s[i]);
            if (s[i] > 0) plus++;
            if (i > 0 && s[i] == s[i - 1]) agree++;
        }
        double sd = Math.sqrt(N) / 2;                          // binomial(N, ½)
        assertEquals(N / 2.0, plus, 5 * sd, "plus signs");
        assertEquals((N - 1) / 2.0, agree, 5 * sd, "neighbours agreeing");
    }
}
