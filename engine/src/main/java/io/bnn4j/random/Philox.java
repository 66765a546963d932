package io.bnn4j.random;

/**
 * Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"), the
 * counter-based generator behind every random number in bnn4j, in plain scalar Java: the
 * reference that the vectorized fill in {@code kernel.simd} is tested against.
 *
 * <p>Value j of stream k under a seed is a pure function of (seed, k, j): block
 * {@code j >>> 2} of the counter space is encrypted with key = seed, counter =
 * (block low, block high, stream low, stream high), and lane {@code j & 3} of the four 32-bit
 * outputs is used. Any element can be produced without producing the ones before it, so fills
 * vectorize, split across threads, and reproduce exactly for any thread count.
 *
 * <p>Normals come from the Box-Muller transform on lane pairs (0, 1) and (2, 3):
 * z0 = r·cos(a), z1 = r·sin(a), r = sqrt(−2 ln u0), a = 2π·u1 (in double: the vectorized
 * fill takes the angle's quadrant and remainder straight from u1's bits, so it has no float
 * angle to round; until 2026-11 a was the float product 2π·u1, so the numbers changed), with
 * uniforms u = (k + 1)·2⁻²⁴ from the top 24 bits k of a word: exact floats in (0, 1], so
 * |z| ≤ sqrt(2·ln 2²⁴) ≈ 5.77: the tails beyond that (probability 8e-9) are cut, which no use
 * here can notice. Word order: {@link #block} takes and returns the words in the order of
 * Random123's {@code philox4x32} (ctr[0..3], key[0..1] → out[0..3]), so its
 * {@code kat_vectors} apply as they stand.
 */
public final class Philox {

    public static final int M0 = 0xD2511F53;
    public static final int M1 = 0xCD9E8D57;
    public static final int W0 = 0x9E3779B9;
    public static final int W1 = 0xBB67AE85;
    public static final int ROUNDS = 10;

    private Philox() {}

    /**
     * Encrypts counter (c0, c1, c2, c3) with key (k0, k1): ten Philox rounds. Writes 4 ints.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The four raw 32-bit words of block {@code blockIndex} of stream {@code stream}. */
    public static void words(long seed, long stream, long blockIndex, int[] out) {
        block((int) blockIndex, (int) (blockIndex >>> 32), (int) stream, (int) (stream >>> 32),
                (int) seed, (int) (seed >>> 32), out);
    }

    /**
     * A uniform in (0, 1] from the top 24 bits k of a word: (k + 1)·2⁻²⁴, exact in float, so
     * every one of the 2²⁴ values is equally likely and ln u is finite.
     *
     * <p>(Until 2026-11 this was (k + 0.5f)·2⁻²⁴, which is not exact: for k ≥ 2²³ the float
     * k + 0.5 rounds half to even, so the upper half of (0, 1) had only 2²² distinct values,
     * each twice as likely, and k = 2²⁴ − 1 gave exactly 1.)
     */
    public static float uniform(int word) {
        return ((word >>> 8) + 1) * 0x1.0p-24f;
    }

    /** 2π as a float. */
    public static final float TWO_PI = (float) (2 * Math.PI);

    /**
     * Standard normals j = first .. first + len − 1 of (seed, stream) into dst[off ...]:
     * the scalar reference of the Gaussian fill.
     */
    public static void fillGaussian(long seed, long stream, long first, float[] dst, int off, int len) {
        int[] w = new int[4];
        long j = first;
        long end = first + len;
        while (j < end) {
            long blockIndex = j >>> 2;
            words(seed, stream, blockIndex, w);
            float r0 = (float) Math.sqrt(-2.0 * Math.log(uniform(w[0])));
            double a0 = 2 * Math.PI * uniform(w[1]);
            float r1 = (float) Math.sqrt(-2.0 * Math.log(uniform(w[2])));
            double a1 = 2 * Math.PI * uniform(w[3]);
            float[] z = {r0 * (float) Math.cos(a0), r0 * (float) Math.sin(a0),
                         r1 * (float) Math.cos(a1), r1 * (float) Math.sin(a1)};
            for (int lane = (int) (j & 3); lane < 4 && j < end; lane++, j++) {
                dst[off + (int) (j - first)] = z[lane];
            }
        }
    }

    /** One standard normal: element j of (seed, stream). */
    public static float gaussian(long seed, long stream, long j) {
        float[] one = new float[1];
        fillGaussian(seed, stream, j, one, 0, 1);
        return one[0];
    }

    /** ±1 signs j = first .. first + len − 1 of (seed, stream): the sign bit of word j. */
    public static void fillRademacher(long seed, long stream, long first, float[] dst, int off, int len) {
        int[] w = new int[4];
        for (int i = 0; i < len; i++) {
            long j = first + i;
            words(seed, stream, j >>> 2, w);
            dst[off + i] = w[(int) (j & 3)] < 0 ? -1f : 1f;
        }
    }
}
