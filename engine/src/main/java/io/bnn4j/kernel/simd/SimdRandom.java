package io.bnn4j.kernel.simd;

import io.bnn4j.parallel.Parallel;
import io.bnn4j.random.Philox;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Philox4x32-10 and the Box-Muller transform with the Vector API: the same numbers as
 * {@link Philox#fillGaussian} (same words, same uniforms, same float angle), the only
 * difference being the float rounding of log, sin and cos (lanewise SVML here, double
 * {@code Math} there). Rademacher signs are bit-for-bit the scalar ones.
 *
 * <p>One <em>group</em> is L consecutive Philox blocks (L = float lanes), one per lane of an
 * IntVector, giving 4·L outputs: lane t of the four word vectors w0..w3 is block b + t. The
 * Box-Muller results A = r0·cos a0, B = r0·sin a0, C = r1·cos a1, D = r1·sin a1 are then
 * transposed (two rounds of zips) into memory order A₀ B₀ C₀ D₀ A₁ ….
 *
 * <p>The 32×32→64-bit products of a round: the counter vector reinterpreted as L/2 longs,
 * even lanes masked and odd lanes shifted down, each multiplied as longs (C2 emits vpmuludq
 * for such zero-extended operands); the high words are recombined in place. Measured on the
 * 2-core Zen 3 VM: 0.7 ns per 32-bit word, against 1.0 with one block per long lane and 1.4
 * with 16-bit half products in ints.
 *
 * <p>Every output, including those of a partial first or last group (computed whole into a
 * scratch array, then copied), comes from the same vector code, so a value depends only on
 * (seed, stream, counter + j): not on the start, the length or the thread count. Large fills
 * are split over the pool in fixed tasks of {@link #TASK_GROUPS} groups.
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

    /** The four output words of L consecutive blocks, block b + t in lane t. */
    private record Words(IntVector w0, IntVector w1, IntVector w2, IntVector w3) {}

    /** High 32 bits of the unsigned products c·m, lane by lane (m < 2³²). */
    private static IntVector mulHi(IntVector c, long m) {
        LongVector pairs = c.reinterpretAsLongs();
        LongVector low = pairs.and(LO).mul(m);                         // products of the lanes in the low halves
        LongVector high = pairs.lanewise(VectorOperators.LSHR, 32).mul(m); // ... of the lanes in the high halves
        return low.lanewise(VectorOperators.LSHR, 32).or(high.and(HI)).reinterpretAsInts();
    }

    /** Philox4x32-10 of blocks [block, block + L) of stream (s0, s1) under key (k0, k1). */
    private static Words philox(long block, int k0, int k1, int s0, int s1) {
        IntVector c0 = IOTA.add((int) block);
        IntVector c1;
        if ((block & LO) + (L - 1) <= LO) {
            c1 = IntVector.broadcast(IS, (int) (block >>> 32));
        } else {                                                        // the low word wraps inside the group
            int[] high = new int[L];
            for (int t = 0; t < L; t++) high[t] = (int) ((block + t) >>> 32);
            c1 = IntVector.fromArray(IS, high, 0);
        }
        IntVector c2 = IntVector.broadcast(IS, s0), c3 = IntVector.broadcast(IS, s1);
        int ka = k0, kb = k1;
        for (int r = 0; r < Philox.ROUNDS; r++) {
            IntVector hi0 = mulHi(c0, M0), hi1 = mulHi(c2, M1);
            IntVector lo0 = c0.mul(Philox.M0), lo1 = c2.mul(Philox.M1);
            c0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, ka);
            c1 = lo1;
            c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, kb);
            c3 = lo0;
            ka += Philox.W0;
            kb += Philox.W1;
        }
        return new Words(c0, c1, c2, c3);
    }

    /** Philox.uniform lanewise: (k + 1)·2⁻²⁴ from the top 24 bits k, exact. */
    private static FloatVector uniform(IntVector w) {
        return ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).add(1).convert(VectorOperators.I2F, 0)).mul(0x1.0p-24f);
    }

    /** sqrt(−2 ln u); the max guards a log that rounds to +0 or above at u = 1. */
    private static FloatVector radius(FloatVector u) {
        return u.lanewise(VectorOperators.LOG).mul(-2f).max(0f).sqrt();
    }

    /** Writes a (block t, word q) = q-th of (a, b, c, d) lane t, at index + 4t + q. */
    private static void storeTransposed(FloatVector a, FloatVector b, FloatVector c, FloatVector d,
                                        MemorySegment dst, long index) {
        // a b → a₀ b₀ a₁ b₁ …, c d → c₀ d₀ …; then zip the (a, b) and (c, d) pairs as doubles.
        DoubleVector ab0 = a.rearrange(ZIP_F0, b).reinterpretAsDoubles(), ab1 = a.rearrange(ZIP_F1, b).reinterpretAsDoubles();
        DoubleVector cd0 = c.rearrange(ZIP_F0, d).reinterpretAsDoubles(), cd1 = c.rearrange(ZIP_F1, d).reinterpretAsDoubles();
        long bytes = index * Float.BYTES, v = (long) L * Float.BYTES;
        ab0.rearrange(ZIP_D0, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes, ORDER);
        ab0.rearrange(ZIP_D1, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes + v, ORDER);
        ab1.rearrange(ZIP_D0, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 2 * v, ORDER);
        ab1.rearrange(ZIP_D1, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 3 * v, ORDER);
    }

    /** Outputs 4·block … 4·block + GROUP − 1 of the stream, as Gaussians, at dst[index ...]. */
    private static void gaussianGroup(long block, int k0, int k1, int s0, int s1, MemorySegment dst, long index) {
        Words w = philox(block, k0, k1, s0, s1);
        FloatVector r0 = radius(uniform(w.w0())), r1 = radius(uniform(w.w2()));
        FloatVector a0 = uniform(w.w1()).mul(Philox.TWO_PI), a1 = uniform(w.w3()).mul(Philox.TWO_PI);
        storeTransposed(r0.mul(a0.lanewise(VectorOperators.COS)), r0.mul(a0.lanewise(VectorOperators.SIN)),
                r1.mul(a1.lanewise(VectorOperators.COS)), r1.mul(a1.lanewise(VectorOperators.SIN)), dst, index);
    }

    /** Outputs 4·block … as ±1: 1.0f carrying the sign bit of the word. */
    private static void rademacherGroup(long block, int k0, int k1, int s0, int s1, MemorySegment dst, long index) {
        Words w = philox(block, k0, k1, s0, s1);
        storeTransposed(sign(w.w0()), sign(w.w1()), sign(w.w2()), sign(w.w3()), dst, index);
    }

    private static FloatVector sign(IntVector w) {
        return w.and(0x8000_0000).or(Float.floatToRawIntBits(1f)).reinterpretAsFloats();
    }

    @FunctionalInterface
    private interface GroupKernel {
        void run(long block, int k0, int k1, int s0, int s1, MemorySegment dst, long index);
    }

    static void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        fill(SimdRandom::gaussianGroup, par, seed, stream, counter, len, dst, dstOff);
    }

    static void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        fill(SimdRandom::rademacherGroup, par, seed, stream, counter, len, dst, dstOff);
    }

    // dst: (len) ← outputs counter … counter + len − 1 of (seed, stream)
    private static void fill(GroupKernel kernel, Parallel par, long seed, long stream, long counter, int len,
                             MemorySegment dst, long dstOff) {
        if (len == 0) return;
        long end = counter + len;
        long firstBlock = counter >>> 2;
        long blocks = ((end + 3) >>> 2) - firstBlock;
        int groups = (int) ((blocks + L - 1) / L);
        int k0 = (int) seed, k1 = (int) (seed >>> 32), s0 = (int) stream, s1 = (int) (stream >>> 32);
        Parallel pool = par == null ? Parallel.serial() : par;
        pool.forBlocks(groups, TASK_GROUPS, (task, from, to) -> {
            float[] scratch = null;
            for (int g = from; g < to; g++) {
                long block = firstBlock + (long) g * L;
                long e0 = block * 4;                                      // first output of the group
                if (e0 >= counter && e0 + GROUP <= end) {
                    kernel.run(block, k0, k1, s0, s1, dst, dstOff + (e0 - counter));
                } else {                                                  // a partial first or last group
                    if (scratch == null) scratch = new float[GROUP];
                    kernel.run(block, k0, k1, s0, s1, MemorySegment.ofArray(scratch), 0);
                    long from0 = Math.max(e0, counter), to0 = Math.min(e0 + GROUP, end);
                    MemorySegment.copy(scratch, (int) (from0 - e0), dst, ValueLayout.JAVA_FLOAT,
                            (dstOff + from0 - counter) * Float.BYTES, (int) (to0 - from0));
                }
            }
        });
    }
}
