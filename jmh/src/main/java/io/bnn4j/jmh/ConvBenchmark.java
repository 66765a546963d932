package io.bnn4j.jmh;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The LeNet-5 convolutions at batch 256 (conv1: 1→6, 5×5, 32×32 input; conv2: 6→16, 5×5,
 * 14×14 input; stride 1, no pad): forward, backward-data, backward-weights, SIMD beside the
 * scalar twin.
 *
 * <p>Score: milliseconds per call (AverageTime). All three passes do the same multiply-adds,
 * so GFLOP/s = {@link ConvGeometry#forwardFlops()} / (ms·10⁶) =
 * 2·n·cOut·outH·outW·cIn·k² / time: conv1 60.2 MFLOP, conv2 122.9 MFLOP per call.
 * The scalar twin is single-threaded (run it with {@code -p threads=1}); at batch 256 it takes
 * about 0.1–0.3 s per call, which 1 s iterations still sample several times.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBenchmark {

    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"256"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private ConvGeometry g;
    private Arena arena;
    private MemorySegment x, w, y, dy, dx, dw;
    private Parallel par;
    private Kernels simd, scalar;

    @Setup
    public void setup() {
        g = switch (layer) {
            case "conv1" -> new ConvGeometry(batch, 1, 32, 32, 6, 5, 1, 0);
            case "conv2" -> new ConvGeometry(batch, 6, 14, 14, 16, 5, 1, 0);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(3);
        x = random((long) batch * g.inputSize(), rnd);
        w = random(g.weightSize(), rnd);
        dy = random((long) batch * g.outputSize(), rnd);
        y = arena.allocate((long) batch * g.outputSize() * Float.BYTES, 64);
        dx = arena.allocate((long) batch * g.inputSize() * Float.BYTES, 64);
        dw = arena.allocate((long) g.weightSize() * Float.BYTES, 64);
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

    @Benchmark
    public MemorySegment simdForward() {
        simd.conv2dForward(par, g, x, 0, w, 0, y, 0);
        return y;
    }

    @Benchmark
    public MemorySegment simdBackwardData() {
        simd.conv2dBackwardData(par, g, dy, 0, w, 0, dx, 0);
        return dx;
    }

    @Benchmark
    public MemorySegment simdBackwardWeights() {
        simd.conv2dBackwardWeights(par, g, x, 0, dy, 0, dw, 0);
        return dw;
    }

    @Benchmark
    public MemorySegment scalarForward() {
        scalar.conv2dForward(par, g, x, 0, w, 0, y, 0);
        return y;
    }

    @Benchmark
    public MemorySegment scalarBackwardData() {
        scalar.conv2dBackwardData(par, g, dy, 0, w, 0, dx, 0);
        return dx;
    }

    @Benchmark
    public MemorySegment scalarBackwardWeights() {
        scalar.conv2dBackwardWeights(par, g, x, 0, dy, 0, dw, 0);
        return dw;
    }
}
