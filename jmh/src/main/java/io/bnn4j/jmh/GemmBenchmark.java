package io.bnn4j.jmh;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * C = A·B for square sizes and the LeNet-5 layer shapes, SIMD beside the scalar twin.
 *
 * <p>Score: microseconds per call (AverageTime). GFLOP/s = 2·m·n·k / (µs·1000), with (m, n, k)
 * given by {@code shape}: "s" is s³; "m×n×k" names the three. LeNet shapes, batch 256:
 * fc1 forward 256×120×400, fc1 weight gradient 120×400×256 (dWᵀ = dyᵀ·x), conv2 as a GEMM
 * 16×25600×150 (all 256 images' 10×10 outputs side by side, K = 6·5·5).
 * The scalar twin is single-threaded and takes about a second per 512³ call: run it on its own
 * with {@code -p threads=1 -p shape=64,127,512} (1024³ would take minutes per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    @Param({"64", "127", "512", "1024", "256x120x400", "120x400x256", "16x25600x150"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, n, k;
    private Arena arena;
    private MemorySegment a, b, c;
    private Parallel par;
    private Kernels simd, scalar;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = p.length == 3 ? Integer.parseInt(p[1]) : m;
        k = p.length == 3 ? Integer.parseInt(p[2]) : m;
        arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(7);
        a = random((long) m * k, rnd);
        b = random((long) k * n, rnd);
        c = arena.allocate((long) m * n * Float.BYTES, 64);
        par = new Parallel(threads);
        simd = Kernels.simd();
        scalar = Kernels.scalar();
    }

    private MemorySegment random(long len, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(len * Float.BYTES, 64);
        for (long i = 0; i < len; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
        return s;
    }

    @TearDown
    public void tearDown() {
        par.close();
        arena.close();
    }

    /** 2·m·n·k of the current shape. */
    public double flops() {
        return 2.0 * m * n * k;
    }

    @Benchmark
    public MemorySegment simd() {
        simd.gemm(par, false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }

    @Benchmark
    public MemorySegment scalar() {
        scalar.gemm(par, false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
