package io.bnn4j.jmh;

import io.bnn4j.kernel.KernelBackend;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Standard normal samples per second (JMH "ops" = samples, through @OperationsPerInvocation):
 * the vectorized Philox + Box-Muller fill, its scalar reference, and java.util.Random#nextGaussian
 * into a float[] as the everyday baseline. {@code threads} sizes the pool given to the fills; only
 * the SIMD fill uses it (the scalar fill and java.util.Random are single-threaded by design), so
 * per-core comparisons read the threads = 1 rows. Each call draws a fresh counter range.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class GaussianBenchmark {

    static final int LEN = 1 << 20;

    @Param({"1", "2"})
    public int threads;

    private KernelBackend simd, scalar;
    private Parallel pool;
    private Arena arena;
    private MemorySegment dst;
    private float[] heap;
    private Random random;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() {
        simd = Kernels.simd().backend();
        scalar = Kernels.scalar().backend();
        pool = new Parallel(threads);
        arena = Arena.ofShared();
        dst = arena.allocate((long) LEN * Float.BYTES, 64);
        heap = new float[LEN];
        random = new Random(20261127);
        counter = 3;                                  // deliberately not a multiple of 4
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(LEN)
    public void simdFill(Blackhole bh) {
        simd.fillGaussian(pool, 42, 7, counter, LEN, dst, 0);
        counter += LEN;
        bh.consume(dst);
    }

    @Benchmark
    @OperationsPerInvocation(LEN)
    public void scalarFill(Blackhole bh) {
        scalar.fillGaussian(pool, 42, 7, counter, LEN, dst, 0);
        counter += LEN;
        bh.consume(dst);
    }

    @Benchmark
    @OperationsPerInvocation(LEN)
    public void javaUtilRandom(Blackhole bh) {
        float[] out = heap;
        for (int i = 0; i < out.length; i++) out[i] = (float) random.nextGaussian();
        bh.consume(out);
    }
}
