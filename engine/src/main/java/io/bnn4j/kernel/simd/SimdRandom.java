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
 * {@link Philox#fillGaussian} (same words, same uniforms, same angle), the only difference
 * being the float rounding of log, sin and cos (polynomials here, double {@code Math} there:
 * a few ulps apart, 6 allowed by the tests). Rademacher signs
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
    // fill later (the thread-count test caught it). Built from +, −, ×, FMA and bit operations
    // only, these give the same bits in every tier, on every thread.

    /** sqrt(−2 ln u) for u in (0, 1]: SimdMath's Cephes log (no division); the max turns −0 at u = 1 into 0. */
    private static FloatVector radius(FloatVector u) {
        return SimdMath.logPositive(u).mul(-2f).max(0f).sqrt();
    }

    // Cephes sinf/cosf on [−π/4, π/4] (≈ 1 ulp)
    private static final float S1 = -1.6666654611e-1f, S2 = 8.3321608736e-3f, S3 = -1.9515295891e-4f;
    private static final float C1 = 4.166664568298827e-2f, C2 = -1.388731625493765e-3f, C3 = 2.443315711809948e-5f;
    /** (π/2)·2⁻²²: a quarter turn over the 2²² steps of the uniform in one quadrant. */
    private static final float QUARTER_STEP = (float) (Math.PI / 2) * 0x1.0p-22f;

    /**
     * cos a (sine = false) or sin a (sine = true) of the angle a = 2π·(k + 1)·2⁻²⁴ of the word's
     * top 24 bits k, without a float angle or a range reduction: the nearest quarter turn
     * q = round((k + 1)/2²²) and the remainder (k + 1) − q·2²² in [−2²¹, 2²¹] are integers, so
     * the remainder angle ρ = remainder·(π/2)·2⁻²² in [−π/4, π/4] rounds once. Called for both
     * on the same word, the shared part is one computation after C2's value numbering.
     */
    private static FloatVector cosOrSin(IntVector word, boolean sine) {
        IntVector k = word.lanewise(VectorOperators.LSHR, 8).add(1);
        IntVector q = k.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
        FloatVector rho = ((FloatVector) k.sub(q.lanewise(VectorOperators.LSHL, 22))
                .convert(VectorOperators.I2F, 0)).mul(QUARTER_STEP);
        FloatVector z = rho.mul(rho);
        FloatVector sinR = z.fma(S3, S2).fma(z, FloatVector.broadcast(S, S1)).fma(z.mul(rho), rho);
        FloatVector cosR = z.fma(C3, C2).fma(z, FloatVector.broadcast(S, C1)).fma(z.mul(z), z.mul(-0.5f)).add(1f);
        // a = q·π/2 + ρ: for q mod 4 = 0..3, cos a = cos ρ, −sin ρ, −cos ρ, sin ρ and sin a = sin ρ, cos ρ, −sin ρ, −cos ρ
        VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(S);
        FloatVector v = sine ? sinR.blend(cosR, odd) : cosR.blend(sinR, odd);
        VectorMask<Float> negative = (sine ? q : q.add(1)).and(2).compare(VectorOperators.NE, 0).cast(S);
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
                a = r0.mul(cosOrSin(c1, false));
                b = r0.mul(cosOrSin(c1, true));
                c = r1.mul(cosOrSin(c3, false));
                d = r1.mul(cosOrSin(c3, true));
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
