package io.bnn4j.jmh;

import io.bnn4j.kernel.KernelBackend;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.UnaryOp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Every elementwise kernel, scalar twin and Vector API version side by side (the {@code backend}
 * parameter), on the unchecked backends so the facade's argument checks are not timed.
 * Sizes: 1204224 = 256·6·28·28 (LeNet conv1 activations at batch 256), 409600 = 256·16·10·10
 * (conv2), 30723 (fc-sized, not a multiple of 8), 2560 = 256·10 (the logits; the row kernels
 * use rows of 10 = size/10 rows). Inputs are seeded; in-place kernels use factors that keep
 * the values in the normal range however many times they run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBenchmark {

    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1204224", "409600", "30723", "2560"})
    public int size;

    private KernelBackend k;
    private Arena arena;
    private MemorySegment x, y, z, var, eps, p, g, m, v, bias, db;
    private static final int CHANNELS = 6;

    @Setup(Level.Trial)
    public void setUp() {
        k = backend.equals("simd") ? Kernels.simd().backend() : Kernels.scalar().backend();
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(20261127);
        x = random(r, size, -4f, 4f);
        y = random(r, size, -4f, 4f);
        z = random(r, size, -4f, 4f);
        var = random(r, size, 1e-4f, 2f);
        eps = random(r, size, -3f, 3f);
        p = random(r, size, -1f, 1f);
        g = random(r, size, -0.1f, 0.1f);
        m = random(r, size, -0.01f, 0.01f);
        v = random(r, size, 0f, 1e-4f);
        bias = random(r, CHANNELS, -1f, 1f);
        db = random(r, CHANNELS, 0f, 0f);
    }

    private MemorySegment random(SplittableRandom r, int n, float lo, float hi) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES, 64);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, lo + (hi - lo) * (float) r.nextDouble());
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    private void unary(UnaryOp op, Blackhole bh) {
        k.unary(op, size, x, 0, z, 0);
        bh.consume(z);
    }

    @Benchmark public void relu(Blackhole bh) { unary(UnaryOp.RELU, bh); }
    @Benchmark public void softplus(Blackhole bh) { unary(UnaryOp.SOFTPLUS, bh); }
    @Benchmark public void sigmoid(Blackhole bh) { unary(UnaryOp.SIGMOID, bh); }
    @Benchmark public void square(Blackhole bh) { unary(UnaryOp.SQUARE, bh); }
    @Benchmark public void sqrt(Blackhole bh) { k.unary(UnaryOp.SQRT, size, var, 0, z, 0); bh.consume(z); }
    @Benchmark public void exp(Blackhole bh) { unary(UnaryOp.EXP, bh); }
    @Benchmark public void log1p(Blackhole bh) { k.unary(UnaryOp.LOG1P, size, var, 0, z, 0); bh.consume(z); }

    @Benchmark public void reluBackward(Blackhole bh) { k.activationBackward(UnaryOp.RELU, size, x, 0, y, 0, z, 0); bh.consume(z); }
    @Benchmark public void softplusBackward(Blackhole bh) { k.activationBackward(UnaryOp.SOFTPLUS, size, x, 0, y, 0, z, 0); bh.consume(z); }
    @Benchmark public void sigmoidBackward(Blackhole bh) { k.activationBackward(UnaryOp.SIGMOID, size, x, 0, y, 0, z, 0); bh.consume(z); }

    /** y += 1e-7·x: y drifts by 1e-7·|x| per call, nowhere near overflow in any run. */
    @Benchmark public void axpy(Blackhole bh) { k.axpy(size, 1e-7f, x, 0, y, 0); bh.consume(y); }
    @Benchmark public void mul(Blackhole bh) { k.mul(size, x, 0, y, 0, z, 0); bh.consume(z); }
    /** Alternating ×2 and ×½ would be two calls; ×1 keeps the data fixed at the same cost. */
    /** 2, ½, 2, …: exact powers of two keep z unchanged over pairs of calls; a factor of 1 let C2 drop the scalar loop. */
    private float scaleFactor = 2f;
    @Benchmark public void scale(Blackhole bh) { k.scale(size, scaleFactor, z, 0); scaleFactor = 1f / scaleFactor; bh.consume(z); }
    @Benchmark public double sum() { return k.sum(size, x, 0); }
    @Benchmark public double sumOfSquares() { return k.sumOfSquares(size, x, 0); }

    /** x: (size/10, 10) logits, LeNet's output rows. */
    @Benchmark public void softmaxRows(Blackhole bh) { k.softmaxRows(size / 10, 10, x, 0, z, 0); bh.consume(z); }
    @Benchmark public void logSoftmaxRows(Blackhole bh) { k.logSoftmaxRows(size / 10, 10, x, 0, z, 0); bh.consume(z); }

    /** y: (n, 6, spatial) with spatial = size / (6·n): conv1's layout at n = 256 for the big sizes. */
    @Benchmark public void addChannelBias(Blackhole bh) {
        int spatial = size / (CHANNELS * 256);
        k.addChannelBias(256, CHANNELS, Math.max(spatial, 1), z, 0, bias, 0);
        bh.consume(z);
    }

    @Benchmark public void channelBiasGrad(Blackhole bh) {
        int spatial = size / (CHANNELS * 256);
        k.channelBiasGrad(256, CHANNELS, Math.max(spatial, 1), x, 0, db, 0);
        bh.consume(db);
    }

    @Benchmark public void lrtSample(Blackhole bh) { k.lrtSample(size, x, 0, var, 0, eps, 0, z, 0); bh.consume(z); }
    /** The fused bias + sample pass on conv1's layout (as addChannelBias), against lrtSample plus two bias passes. */
    @Benchmark public void lrtSampleBias(Blackhole bh) {
        int spatial = Math.max(size / (CHANNELS * 256), 1);
        // db is all zeros: var (updated in place) stays the same from call to call
        k.lrtSampleBias(256, CHANNELS, spatial, x, 0, var, 0, bias, 0, db, 0, eps, 0, z, 0);
        bh.consume(z);
    }

    @Benchmark public void lrtBackward(Blackhole bh) { k.lrtBackward(size, y, 0, var, 0, eps, 0, z, 0); bh.consume(z); }

    @Benchmark public void adamStep(Blackhole bh) {
        k.adamStep(size, p, 0, g, 0, m, 0, v, 0, 1e-6f, 0.9f, 0.999f, 1e-8f, 0.5f, 0.5f);
        bh.consume(p);
    }
}
