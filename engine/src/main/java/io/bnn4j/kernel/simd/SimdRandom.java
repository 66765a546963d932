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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * <p>The work runs in chunks of up to {@link #CHUNK_GROUPS} groups through four small loops
 * over a per-thread heap scratch (Philox words, radii, r·cos / r·sin, transpose), each small
 * enough for C2 to compile with every vector op intrinsified (see "the fill, in passes").
 *
 * <p>Every output, including those of a partial first or last group (computed whole into the
 * scratch, then copied), comes from the same vector code, which uses no SVML
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

    /** sqrt(−2 ln u) for u in (0, 1]: SimdPolynomials' Cephes log (no division); the max turns −0 at u = 1 into 0. */
    private static FloatVector radius(FloatVector u) {
        return SimdPolynomials.logPositive(u).mul(-2f).max(0f).sqrt();
    }

    // Cephes sinf/cosf on [−π/4, π/4] (≈ 1 ulp)
    private static final float S1 = -1.6666654611e-1f, S2 = 8.3321608736e-3f, S3 = -1.9515295891e-4f;
    private static final float C1 = 4.166664568298827e-2f, C2 = -1.388731625493765e-3f, C3 = 2.443315711809948e-5f;
    /** (π/2)·2⁻²²: a quarter turn over the 2²² steps of the uniform in one quadrant. */
    private static final float QUARTER_STEP = (float) (Math.PI / 2) * 0x1.0p-22f;

    private static FloatVector sign(IntVector w) {
        return w.and(0x8000_0000).or(Float.floatToRawIntBits(1f)).reinterpretAsFloats();
    }

    // ------------------------------------------------------------------ the fill, in passes
    //
    // The Vector API is only fast when every vector op of a loop is intrinsified and no vector
    // crosses a call that C2 did not inline (it is then boxed on the heap). One loop doing
    // Philox, log, sqrt, sin, cos and the transpose was too big for C2's inlining budget
    // (NodeCountInliningCutoff, "hot method too big"): it boxed vectors, allocated about 240 kB
    // per 4096 outputs and ran at about 5 ns per output. So a chunk of up to CHUNK_GROUPS groups
    // goes through four small loops over a per-thread heap scratch, each small enough to be
    // compiled whole: Philox words → int[], radii → float[], r·cos / r·sin (or signs) → float[],
    // transpose → dst. Same operations in the same order as before, so the same bits.

    /** Groups per chunk of the passes: 4096 outputs, 16 kB of words and 16 kB of values, in L1/L2. */
    static final int CHUNK_GROUPS = Math.max(1, 4096 / GROUP);

    /** Per-thread scratch of the passes. */
    private static final class Scratch {
        /** Group j of the chunk: words w0 … w3 of its L blocks at j·GROUP + q·L (lane t = block t). */
        final int[] words = new int[CHUNK_GROUPS * GROUP];
        /** Group j: r0, r1 at j·2L, j·2L + L. */
        final float[] radii = new float[CHUNK_GROUPS * 2 * L];
        /** Group j: a, b, c, d at j·GROUP + q·L (not yet transposed). */
        final float[] values = new float[CHUNK_GROUPS * GROUP];
        /** One transposed group, for a partial first or last group. */
        final float[] partial = new float[GROUP];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Pass 1: Philox4x32-10 of groups g0 … g0 + n − 1 (blocks firstBlock + g·L …, one per lane) into words. */
    private static void philox(int g0, int n, long firstBlock, int k0, int k1, int s0, int s1, int[] words) {
        IntVector stream0 = IntVector.broadcast(IS, s0), stream1 = IntVector.broadcast(IS, s1);
        for (int j = 0; j < n; j++) {
            long block = firstBlock + (long) (g0 + j) * L;
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
            int w = j * GROUP;
            c0.intoArray(words, w);
            c1.intoArray(words, w + L);
            c2.intoArray(words, w + 2 * L);
            c3.intoArray(words, w + 3 * L);
        }
    }

    /**
     * Pass 2 (Gaussian): radius vector h of the chunk (group h/2; h even: r0 from w0, h odd:
     * r1 from w2) = radius(uniform(word)), one vector per iteration: two per iteration were over
     * C2's node budget and the second radius stayed a call (boxed vectors).
     */
    private static void radii(int n, int[] words, float[] radii) {
        for (int h = 0; h < 2 * n; h++) {
            int w = (h >> 1) * GROUP + (h & 1) * 2 * L;
            radius(uniform(IntVector.fromArray(IS, words, w))).intoArray(radii, h * L);
        }
    }

    /**
     * Pass 3 (Gaussian): for word h of the chunk (group h/2; h even: w1 with r0, h odd: w3 with
     * r1), r·cos a and r·sin a of the angle a = 2π·(k + 1)·2⁻²⁴ of the word's top 24 bits k,
     * without a float angle or a range reduction: the nearest quarter turn
     * q = round((k + 1)/2²²) and the remainder (k + 1) − q·2²² in [−2²¹, 2²¹] are integers, so
     * the remainder angle ρ = remainder·(π/2)·2⁻²² in [−π/4, π/4] rounds once. Written out in
     * the loop, the part shared by cos and sin once: a cos-or-sin helper called four times
     * went over C2's node budget, stayed a call and boxed its vectors.
     */
    private static void angles(int n, int[] words, float[] radii, float[] values) {
        for (int h = 0; h < 2 * n; h++) {
            int out = (h >> 1) * GROUP + (h & 1) * 2 * L;
            IntVector word = IntVector.fromArray(IS, words, out + L);
            FloatVector r = FloatVector.fromArray(S, radii, h * L);
            IntVector k = word.lanewise(VectorOperators.LSHR, 8).add(1);
            IntVector q = k.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
            FloatVector rho = ((FloatVector) k.sub(q.lanewise(VectorOperators.LSHL, 22))
                    .convert(VectorOperators.I2F, 0)).mul(QUARTER_STEP);
            FloatVector z = rho.mul(rho);
            FloatVector sinR = z.fma(S3, S2).fma(z, FloatVector.broadcast(S, S1)).fma(z.mul(rho), rho);
            FloatVector cosR = z.fma(C3, C2).fma(z, FloatVector.broadcast(S, C1)).fma(z.mul(z), z.mul(-0.5f)).add(1f);
            // a = q·π/2 + ρ: for q mod 4 = 0..3, cos a = cos ρ, −sin ρ, −cos ρ, sin ρ and sin a = sin ρ, cos ρ, −sin ρ, −cos ρ
            VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(S);
            FloatVector c = cosR.blend(sinR, odd), s = sinR.blend(cosR, odd);
            c = c.blend(c.neg(), q.add(1).and(2).compare(VectorOperators.NE, 0).cast(S));
            s = s.blend(s.neg(), q.and(2).compare(VectorOperators.NE, 0).cast(S));
            r.mul(c).intoArray(values, out);
            r.mul(s).intoArray(values, out + L);
        }
    }

    /** Pass 3 (Rademacher): ±1 from the sign bit of each word. */
    private static void signs(int n, int[] words, float[] values) {
        for (int i = 0; i < n * GROUP; i += L) sign(IntVector.fromArray(IS, words, i)).intoArray(values, i);
    }

    /** Pass 4: each group's a, b, c, d to memory order a₀ b₀ c₀ d₀ a₁ … at dst[index + j·GROUP …]. */
    private static void transpose(int n, float[] values, MemorySegment dst, long index) {
        for (int j = 0; j < n; j++) {
            int w = j * GROUP;
            FloatVector a = FloatVector.fromArray(S, values, w), b = FloatVector.fromArray(S, values, w + L);
            FloatVector c = FloatVector.fromArray(S, values, w + 2 * L), d = FloatVector.fromArray(S, values, w + 3 * L);
            // zip (a, b) and (c, d), then the pairs as doubles
            DoubleVector ab0 = a.rearrange(ZIP_F0, b).reinterpretAsDoubles(), ab1 = a.rearrange(ZIP_F1, b).reinterpretAsDoubles();
            DoubleVector cd0 = c.rearrange(ZIP_F0, d).reinterpretAsDoubles(), cd1 = c.rearrange(ZIP_F1, d).reinterpretAsDoubles();
            long bytes = (index + (long) j * GROUP) * Float.BYTES, v = (long) L * Float.BYTES;
            ab0.rearrange(ZIP_D0, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes, ORDER);
            ab0.rearrange(ZIP_D1, cd0).reinterpretAsFloats().intoMemorySegment(dst, bytes + v, ORDER);
            ab1.rearrange(ZIP_D0, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 2 * v, ORDER);
            ab1.rearrange(ZIP_D1, cd1).reinterpretAsFloats().intoMemorySegment(dst, bytes + 3 * v, ORDER);
        }
    }

    /** {@link #transpose} of the first group of values into a float[] (a partial group, copied out afterwards). */
    private static void transposeOne(float[] values, float[] out) {
        FloatVector a = FloatVector.fromArray(S, values, 0), b = FloatVector.fromArray(S, values, L);
        FloatVector c = FloatVector.fromArray(S, values, 2 * L), d = FloatVector.fromArray(S, values, 3 * L);
        DoubleVector ab0 = a.rearrange(ZIP_F0, b).reinterpretAsDoubles(), ab1 = a.rearrange(ZIP_F1, b).reinterpretAsDoubles();
        DoubleVector cd0 = c.rearrange(ZIP_F0, d).reinterpretAsDoubles(), cd1 = c.rearrange(ZIP_F1, d).reinterpretAsDoubles();
        ab0.rearrange(ZIP_D0, cd0).reinterpretAsFloats().intoArray(out, 0);
        ab0.rearrange(ZIP_D1, cd0).reinterpretAsFloats().intoArray(out, L);
        ab1.rearrange(ZIP_D0, cd1).reinterpretAsFloats().intoArray(out, 2 * L);
        ab1.rearrange(ZIP_D1, cd1).reinterpretAsFloats().intoArray(out, 3 * L);
    }

    /** Passes 1–3 of groups g0 … g0 + n − 1 (n ≤ CHUNK_GROUPS) into sc.values. */
    private static void compute(boolean gaussian, int g0, int n, long firstBlock, int k0, int k1, int s0, int s1,
                                Scratch sc) {
        philox(g0, n, firstBlock, k0, k1, s0, s1, sc.words);
        if (gaussian) {
            radii(n, sc.words, sc.radii);
            angles(n, sc.words, sc.radii, sc.values);
        } else {
            signs(n, sc.words, sc.values);
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
        if (groups <= TASK_GROUPS) {               // one task: no lambda to allocate, the same work
            task(gaussian, 0, groups, firstBlock, counter, end, k0, k1, s0, s1, dst, dstOff);
            return;
        }
        Parallel pool = par == null ? Parallel.serial() : par;
        pool.forBlocks(groups, TASK_GROUPS,
                (t, from, to) -> task(gaussian, from, to, firstBlock, counter, end, k0, k1, s0, s1, dst, dstOff));
    }

    /**
     * Groups [from, to) of a fill whose group 0 starts at block firstBlock: whole groups in
     * chunks straight into dst; a partial first or last group whole into the scratch, then the
     * part inside [counter, end) copied.
     */
    private static void task(boolean gaussian, int from, int to, long firstBlock, long counter, long end,
                             int k0, int k1, int s0, int s1, MemorySegment dst, long dstOff) {
        Scratch sc = SCRATCH.get();
        int g = from;
        while (g < to) {
            long e0 = (firstBlock + (long) g * L) * 4;                 // first output of group g
            boolean whole = e0 >= counter && e0 + GROUP <= end;
            int g1 = g + 1;
            if (whole) {
                while (g1 < to && g1 - g < CHUNK_GROUPS && (firstBlock + (long) g1 * L) * 4 + GROUP <= end) g1++;
            }
            // One call site for the passes: C2 inlines compute (and radii in it) into this method
            // once. With a second site for the partial group, the second copy of radii went over
            // NodeCountInliningCutoff, its uniform/radius stayed calls and boxed their vectors
            // (about 7.5 kB per 10-sample prediction, seen with JFR allocation samples).
            compute(gaussian, g, g1 - g, firstBlock, k0, k1, s0, s1, sc);
            if (whole) {
                transpose(g1 - g, sc.values, dst, dstOff + (e0 - counter));
            } else {
                transposeOne(sc.values, sc.partial);
                long from0 = Math.max(e0, counter), to0 = Math.min(e0 + GROUP, end);
                MemorySegment.copy(sc.partial, (int) (from0 - e0), dst, ValueLayout.JAVA_FLOAT,
                        (dstOff + from0 - counter) * Float.BYTES, (int) (to0 - from0));
            }
            g = g1;
        }
    }
}
