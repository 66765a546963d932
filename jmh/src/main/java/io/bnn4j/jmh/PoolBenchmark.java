package io.bnn4j.jmh;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.PoolGeometry;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Max pooling, SIMD beside the scalar twin, at batch 256: LeNet-5's pool1 (6 planes of 28×28,
 * 2/2) and pool2 (16 planes of 10×10, 2/2), and 3conv3fc's first pool (32 planes of 32×32,
 * 3/2). Score: microseconds per call; the kernels are memory-bound, so the useful figure is
 * the SIMD/scalar ratio (input GB/s = 4·inputSize / time if wanted).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PoolBenchmark {

    @Param({"lenet-pool1", "lenet-pool2", "3conv3fc-pool1"})
    public String pool;

    private PoolGeometry g;
    private Arena arena;
    private MemorySegment x, y, arg, dy, dx;
    private Kernels simd, scalar;

    @Setup
    public void setup() {
        g = switch (pool) {
            case "lenet-pool1" -> new PoolGeometry(256 * 6, 28, 28, 2, 2);
            case "lenet-pool2" -> new PoolGeometry(256 * 16, 10, 10, 2, 2);
            case "3conv3fc-pool1" -> new PoolGeometry(256 * 32, 32, 32, 3, 2);
            default -> throw new IllegalArgumentException("unknown pool " + pool);
        };
        arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(5);
        x = random(g.inputSize(), rnd);
        dy = random(g.outputSize(), rnd);
        y = arena.allocate(g.outputSize() * Float.BYTES, 64);
        dx = arena.allocate(g.inputSize() * Float.BYTES, 64);
        arg = arena.allocate(g.outputSize() * Integer.BYTES, 64);
        scalar = Kernels.scalar();
        simd = Kernels.simd();
        scalar.maxPoolForward(g, x, 0, y, 0, arg, 0); // a valid argmax for the backward benchmarks
    }

    private MemorySegment random(long len, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(len * Float.BYTES, 64);
        for (long i = 0; i < len; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
        return s;
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment simdForward() {
        simd.maxPoolForward(g, x, 0, y, 0, arg, 0);
        return y;
    }

    @Benchmark
    public MemorySegment scalarForward() {
        scalar.maxPoolForward(g, x, 0, y, 0, arg, 0);
        return y;
    }

    @Benchmark
    public MemorySegment simdBackward() {
        simd.maxPoolBackward(g, dy, 0, arg, 0, dx, 0);
        return dx;
    }

    @Benchmark
    public MemorySegment scalarBackward() {
        scalar.maxPoolBackward(g, dy, 0, arg, 0, dx, 0);
        return dx;
    }
}
