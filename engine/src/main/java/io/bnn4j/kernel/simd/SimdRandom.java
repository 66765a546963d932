package io.bnn4j.kernel.simd;

import io.bnn4j.parallel.Parallel;
import io.bnn4j.random.Philox;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Philox4x32-10 and the Box-Muller transform with the Vector API: the same numbers as
 * {@link Philox#fillGaussian} (same words, same uniforms, same float angle), the only
 * difference being the float rounding of log, sin and cos (polynomials here, double
 * {@code Math} there: at most 3 ulps apart measured, 6 allowed by the tests). Rademacher signs
 * are bit-for-bit the scalar ones.
 *
 * <p>One <em>group</em> is L consecutive Philox blocks (L = float lanes), one per lane of an
 * IntVector, giving 4·L outputs: lane t of the four word vectors w0..w3 is block b + t. The
 * Box-Muller results A = r0·cos a0, B = r0·sin a0, C = r1·cos a1, D = r1·sin a1 are then
 * transposed (two rounds of zips) into memory order A₀ B₀ C₀ D₀ A₁ ….
 *
 * <p>The 32×32→64-bit products of a round: the counter vector reinterpreted as L/2 longs,
 * low-half lanes masked and high-half lanes shifted down, each multiplied as longs, the high
 * words recombined in place. Measured (scratch harness, 2-core AMD EPYC with AVX-512, loaded):
 * 0.57 ns per 32-bit word at 512 bits (0.7 at 256), against 0.65–1.0 with one block per long
 * lane and 1.1–1.4 with 16-bit half products in ints.
 *
 * <p>Every output, including those of a partial first or last group (computed whole into a
 * scratch segment, then copied), comes from the same vector code, which uses no SVML
 * function, so a value depends only on (seed, stream, counter + j): not on the start, the
 * length, the thread count or whether C2 has compiled the loop yet. Large fills are split over
 * the pool in fixed tasks of {@link #TASK_GROUPS} groups.
 */
final class SimdRandom {

    private static final VectorSpecies<Float> S = SimdKernels.SPECIES;
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    private static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, S.vectorShape());
    private static final int L = S.length();
    /** Outputs per group: four words per block, L blocks. */
    static final int GROUP = 4 * L;
    /** Groups per parallel task: 16384 outputs, about 30 µs of work. */
    static final int TASK_GROUPS = 16384 / GROUP;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long LO = 0xFFFF_FFFFL, HI = 0xFFFF_FFFF_0000_0000L;
    private static final long M0 = Philox.M0 & LO, M1 = Philox.M1 & LO;
    private static final IntVector IOTA = IntVector.zero(IS).addIndex(1);
    private static final VectorShuffle<Float> ZIP_F0 = VectorShuffle.makeZip(S, 0), ZIP_F1 = VectorShuffle.makeZip(S, 1);
    private static final VectorShuffle<Double> ZIP_D0 = VectorShuffle.makeZip(DS, 0), ZIP_D1 = VectorShuffle.makeZip(DS, 1);

    private SimdRandom() {}

    /** Philox.uniform lanewise: (k + 1)·2⁻²⁴ from the top 24 bits k, exact. */
    private static FloatVector uniform(IntVector w) {
        return ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).add(1).convert(VectorOperators.I2F, 0)).mul(0x1.0p-24f);
    }

    // ------------------------------------------------------------------ log, sin, cos
    //
    // Own polynomials, not VectorOperators.LOG/SIN/COS: those are SVML in C2-compiled code but
    // the per-lane Math fallback in the interpreter and C1, and the two differ by an ulp now and
    // then. A fill running partly before C2 compiled it then gave different bits than the same
    // fill later (the thread-count test caught it). Built from +, −, ×, ÷, FMA and bit
    // operations only, these give the same bits in every tier, on every thread.

    // logf from FreeBSD msun / musl (e_logf.c): |error| < 1 ulp.
    private static final float LN2_HI = 6.9313812256e-01f, LN2_LO = 9.0580006145e-06f;
    private static final float LG1 = 0xaaaaaa.0p-24f, LG2 = 0xccce13.0p-25f, LG3 = 0x91e9ee.0p-25f, LG4 = 0xf89e26.0p-26f;
    private static final int SQRT_HALF_BITS = 0x3f3504f3;

    /** ln u for normal positive u: u = 2^k·x with x in [√½, √2), then the msun series in s = f/(2+f). */
    private static FloatVector log(FloatVector u) {
        IntVector ix = u.reinterpretAsInts().add(0x3f800000 - SQRT_HALF_BITS);
        IntVector k = ix.lanewise(VectorOperators.ASHR, 23).sub(0x7f);
        FloatVector x = ix.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats();
        FloatVector f = x.sub(1f);
        FloatVector sv = f.div(f.add(2f));
        FloatVector z = sv.mul(sv), w = z.mul(z);
        FloatVector t1 = w.mul(w.mul(LG4).add(LG2));
        FloatVector t2 = z.mul(w.mul(LG3).add(LG1));
        FloatVector r = t2.add(t1);
        FloatVector hfsq = f.mul(f).mul(0.5f);
        FloatVector dk = (FloatVector) k.convert(VectorOperators.I2F, 0);
        return sv.mul(hfsq.add(r)).add(dk.mul(LN2_LO)).sub(hfsq).add(f).add(dk.mul(LN2_HI));
    }

    /** sqrt(−2 ln u); the max guards a log that rounds to −0 at u = 1. */
    private static FloatVector radius(FloatVector u) {
        return log(u).mul(-2f).max(0f).sqrt();
    }

    // sin and cos of a in [0, 2π]: a − j·π/2 by Cody-Waite in three FMA steps (π/2 to 72 bits, so
    // small remainders near the zeros keep their relative accuracy), then Cephes' sinf/cosf
    // polynomials on [−π/4, π/4] (≈ 1 ulp), swapped and negated by quadrant j mod 4.
    private static final float TWO_OVER_PI = (float) (2 / Math.PI);
    private static final float PIO2_1 = 1.5703125f, PIO2_2 = 4.837512969970703125e-4f, PIO2_3 = 7.54978995489188216e-8f;
    private static final float S1 = -1.6666654611e-1f, S2 = 8.3321608736e-3f, S3 = -1.9515295891e-4f;
    private static final float C1 = 4.166664568298827e-2f, C2 = -1.388731625493765e-3f, C3 = 2.443315711809948e-5f;

    /**
     * cos a (sine = false) or sin a (sine = true), a in [0, 2π]. Called for both on the same a,
     * the shared reduction and polynomials are one computation after C2's value numbering.
     */
    private static FloatVector cosOrSin(FloatVector a, boolean sine) {
        IntVector j = (IntVector) a.mul(TWO_OVER_PI).add(0.5f).convert(VectorOperators.F2I, 0);
        FloatVector jf = (FloatVector) j.convert(VectorOperators.I2F, 0);
        FloatVector r = jf.fma(FloatVector.broadcast(S, -PIO2_1), a);
        r = jf.fma(FloatVector.broadcast(S, -PIO2_2), r);
        r = jf.fma(FloatVector.broadcast(S, -PIO2_3), r);
        FloatVector z = r.mul(r);
        FloatVector sinR = z.mul(S3).add(S2).mul(z).add(S1).mul(z).mul(r).add(r);
        FloatVector cosR = z.mul(C3).add(C2).mul(z).add(C1).mul(z).mul(z).sub(z.mul(0.5f)).add(1f);
        VectorMask<Float> odd = j.and(1).compare(VectorOperators.NE, 0).cast(S);
        // sin a = ±sin r, ±cos r, with signs +, +, −, − for j = 0..3; cos a = ±cos r, ±sin r: +, −, −, +.
        FloatVector v = sine ? sinR.blend(cosR, odd) : cosR.blend(sinR, odd);
        VectorMask<Float> negative = (sine ? j : j.add(1)).and(2).compare(VectorOperators.NE, 0).cast(S);
        return v.blend(v.neg(), negative);
    }

    private static FloatVector sign(IntVector w) {
        return w.and(0x8000_0000).or(Float.floatToRawIntBits(1f)).reinterpretAsFloats();
    }

    /**
     * Groups [gFrom, gTo) of a fill whose group 0 starts at block {@code firstBlock}: group g
     * (blocks firstBlock + g·L …, outputs 4·that …) goes to dst[index + g·GROUP ...].
     *
     * <p>One method on purpose: the Vector API is only fast when everything is inlined into
     * the loop (a vector that crosses a call boundary is boxed on the heap), and C2 refused to
     * inline separate philox / mulHi / transpose helpers ("already compiled into a big method",
     * "callee is too large"), and the boxed vectors cost about 2x.
     */
    private static void groups(boolean gaussian, int gFrom, int gTo, long firstBlock, int k0, int k1, int s0, int s1,
                               MemorySegment dst, long index) {
        IntVector stream0 = IntVector.broadcast(IS, s0), stream1 = IntVector.broadcast(IS, s1);
        for (int g = gFrom; g < gTo; g++) {
            long block = firstBlock + (long) g * L;
            // ---- Philox4x32-10 of blocks block … block + L − 1, one per lane
            IntVector c0 = IOTA.add((int) block);
            IntVector c1;
            if ((block & LO) + (L - 1) <= LO) {
                c1 = IntVector.broadcast(IS, (int) (block >>> 32));
            } else {                                                    // the low word wraps inside the group
                int[] high = new int[L];
                for (int t = 0; t < L; t++) high[t] = (int) ((block + t) >>> 32);
                c1 = IntVector.fromArray(IS, high, 0);
            }
            IntVector c2 = stream0, c3 = stream1;
            int ka = k0, kb = k1;
            for (int r = 0; r < Philox.ROUNDS; r++) {
                // High words of the unsigned 32×32 products: the int lanes seen as L/2 longs, the
                // low-half lanes masked and the high-half lanes shifted down, multiplied as longs
                // (vpmuludq), the high words put back where each lane was.
                LongVector p0 = c0.reinterpretAsLongs(), p2 = c2.reinterpretAsLongs();
                IntVector hi0 = p0.and(LO).mul(M0).lanewise(VectorOperators.LSHR, 32)
                        .or(p0.lanewise(VectorOperators.LSHR, 32).mul(M0).and(HI)).reinterpretAsInts();
                IntVector hi1 = p2.and(LO).mul(M1).lanewise(VectorOperators.LSHR, 32)
                        .or(p2.lanewise(VectorOperators.LSHR, 32).mul(M1).and(HI)).reinterpretAsInts();
                IntVector lo0 = c0.mul(Philox.M0), lo1 = c2.mul(Philox.M1);
                c0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, ka);
                c1 = lo1;
                c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, kb);
                c3 = lo0;
                ka += Philox.W0;
                kb += Philox.W1;
            }
            // ---- outputs q = 0..3 of each block
            FloatVector a, b, c, d;
            if (gaussian) {
                FloatVector r0 = radius(uniform(c0)), r1 = radius(uniform(c2));
                FloatVector a0 = uniform(c1).mul(Philox.TWO_PI), a1 = uniform(c3).mul(Philox.TWO_PI);
                a = r0.mul(cosOrSin(a0, false));
                b = r0.mul(cosOrSin(a0, true));
                c = r1.mul(cosOrSin(a1, false));
                d = r1.mul(cosOrSin(a1, true));
            } else {
                a = sign(c0);
                b = sign(c1);
                c = sign(c2);
                d = sign(c3);
            }
            // ---- transpose to memory order a₀ b₀ c₀ d₀ a₁ …: zip (a, b) and (c, d), then the pairs as doubles
            DoubleVector ab0 = a.rearrange(ZIP_F0, b).reinterpretAsDoubles(), ab1 = a.rearrange(ZIP_F1, b).reinterpretAsDoubles();
            DoubleVector cd0 = c.rearrange(ZIP_F0, d).reinterpretAsDoubles(), cd1 = c.rearrange(ZIP_F1, d).reinterpretAsDoubles();
            long bytes = (index + (long) (g - gFrom) * GROUP) * Float.BYTES, v = (long) L * Float.BYTES;
            ab0.rearrange(ZIP_D0, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes, ORDER);
            ab0.rearrange(ZIP_D1, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes + v, ORDER);
            ab1.rearrange(ZIP_D0, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 2 * v, ORDER);
            ab1.rearrange(ZIP_D1, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 3 * v, ORDER);
        }
    }

    static void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        fill(true, par, seed, stream, counter, len, dst, dstOff);
    }

    static void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        fill(false, par, seed, stream, counter, len, dst, dstOff);
    }

    // dst: (len) ← outputs counter … counter + len − 1 of (seed, stream)
    private static void fill(boolean gaussian, Parallel par, long seed, long stream, long counter, int len,
                             MemorySegment dst, long dstOff) {
        if (len == 0) return;
        long end = counter + len;
        long firstBlock = counter >>> 2;
        long blocks = ((end + 3) >>> 2) - firstBlock;
        int groups = (int) ((blocks + L - 1) / L);
        int k0 = (int) seed, k1 = (int) (seed >>> 32), s0 = (int) stream, s1 = (int) (stream >>> 32);
        Parallel pool = par == null ? Parallel.serial() : par;
        pool.forBlocks(groups, TASK_GROUPS, (task, from, to) -> {
            // Whole groups straight into dst; a partial first or last group whole into a scratch
            // array, then the part inside [counter, end) copied.
            int g = from;
            while (g < to) {
                long e0 = (firstBlock + (long) g * L) * 4;                 // first output of group g
                if (e0 >= counter && e0 + GROUP <= end) {
                    int g1 = g + 1;
                    while (g1 < to && (firstBlock + (long) g1 * L) * 4 + GROUP <= end) g1++;
                    groups(gaussian, g, g1, firstBlock, k0, k1, s0, s1, dst, dstOff + (e0 - counter));
                    g = g1;
                } else {
                    // Native scratch, not a float[]: one heap segment reaching the vector stores
                    // makes their profile bimorphic and halved the speed of every later fill.
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment scratch = arena.allocate((long) GROUP * Float.BYTES, 64);
                        groups(gaussian, g, g + 1, firstBlock, k0, k1, s0, s1, scratch, 0);
                        long from0 = Math.max(e0, counter), to0 = Math.min(e0 + GROUP, end);
                        MemorySegment.copy(scratch, (from0 - e0) * Float.BYTES, dst, (dstOff + from0 - counter) * Float.BYTES,
                                (to0 - from0) * Float.BYTES);
                    }
                    g++;
                }
            }
        });
    }
}
