package io.bnn4j.jmh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The machine's per-core FMA limit with the Vector API: 12 independent chains of FMAs (enough
 * to cover FMA latency × throughput: 4 cycles × 2 pipes = 8 in flight), {@link #ITERATIONS}
 * rounds per call, no memory traffic. {@code fma12x256} uses 8-lane vectors (the width the GEMM
 * tiles use by default), {@code fma12Preferred} the preferred width (16 lanes with AVX-512).
 *
 * <p>Flops per call = 2 (multiply + add) × lanes × 12 chains × ITERATIONS; GFLOP/s =
 * flops / (ns per call). The score is ns/op (AverageTime): with 8 lanes a call does
 * 2·8·12·4096 = 786,432 flops, so 100 GFLOP/s reads as 7.86 µs/op; with 16 lanes, twice that.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PeakBenchmark {

    static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    public static final int ITERATIONS = 4096;

    private float seedA, seedB;

    @Setup
    public void setup() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        // Multiplier near 1 keeps the chains finite over 4096 rounds.
        seedA = 1f - (float) rnd.nextDouble() * 1e-6f;
        seedB = (float) rnd.nextDouble() * 1e-3f;
    }

    // Two copies of one loop: the species must be a constant for C2 to keep vectors in
    // registers (passed as an argument, every vector is boxed and it runs 50x slower).

    @Benchmark
    public float fma12x256() {
        FloatVector m = FloatVector.broadcast(S256, seedA), b = FloatVector.broadcast(S256, seedB);
        FloatVector c0 = b, c1 = b.add(1f), c2 = b.add(2f), c3 = b.add(3f), c4 = b.add(4f), c5 = b.add(5f);
        FloatVector c6 = b.add(6f), c7 = b.add(7f), c8 = b.add(8f), c9 = b.add(9f), c10 = b.add(10f), c11 = b.add(11f);
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = c0.fma(m, b); c1 = c1.fma(m, b); c2 = c2.fma(m, b); c3 = c3.fma(m, b);
            c4 = c4.fma(m, b); c5 = c5.fma(m, b); c6 = c6.fma(m, b); c7 = c7.fma(m, b);
            c8 = c8.fma(m, b); c9 = c9.fma(m, b); c10 = c10.fma(m, b); c11 = c11.fma(m, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float fma12Preferred() {
        FloatVector m = FloatVector.broadcast(SP, seedA), b = FloatVector.broadcast(SP, seedB);
        FloatVector c0 = b, c1 = b.add(1f), c2 = b.add(2f), c3 = b.add(3f), c4 = b.add(4f), c5 = b.add(5f);
        FloatVector c6 = b.add(6f), c7 = b.add(7f), c8 = b.add(8f), c9 = b.add(9f), c10 = b.add(10f), c11 = b.add(11f);
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = c0.fma(m, b); c1 = c1.fma(m, b); c2 = c2.fma(m, b); c3 = c3.fma(m, b);
            c4 = c4.fma(m, b); c5 = c5.fma(m, b); c6 = c6.fma(m, b); c7 = c7.fma(m, b);
            c8 = c8.fma(m, b); c9 = c9.fma(m, b); c10 = c10.fma(m, b); c11 = c11.fma(m, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
