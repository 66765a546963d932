package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Not a test: the LeNet-5 kernels through the public {@link Kernels} facade only, so the same
 * source compiles against any engine version (to compare two builds by alternating JVMs).
 * Interleaved rounds; prints median [min, max] ms per call and GFLOP/s at the median.
 *
 * <pre>
 * javac -d /tmp/fs --add-modules jdk.incubator.vector -cp ENGINE_CLASSES FacadeSpeed.java
 * java --add-modules=jdk.incubator.vector -cp /tmp/fs:ENGINE_CLASSES io.bnn4j.kernel.simd.FacadeSpeed [rounds] [threads]
 * </pre>
 */
public final class FacadeSpeed {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Arena arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(3);
        Parallel par = new Parallel(threads);
        Kernels simd = Kernels.simd(), scalar = Kernels.scalar();
        Map<String, Runnable> v = new LinkedHashMap<>();
        Map<String, Double> flops = new LinkedHashMap<>();
        for (ConvGeometry g : new ConvGeometry[]{new ConvGeometry(256, 1, 32, 32, 6, 5, 1, 0),
                new ConvGeometry(256, 6, 14, 14, 16, 5, 1, 0)}) {
            String name = g.cIn() == 1 ? "conv1" : "conv2";
            MemorySegment x = KernelSpeed.random(arena, (long) g.n() * g.inputSize(), rnd), w = KernelSpeed.random(arena, g.weightSize(), rnd);
            MemorySegment dy = KernelSpeed.random(arena, (long) g.n() * g.outputSize(), rnd);
            MemorySegment y = arena.allocate((long) g.n() * g.outputSize() * 4, 64);
            MemorySegment dx = arena.allocate((long) g.n() * g.inputSize() * 4, 64);
            MemorySegment dw = arena.allocate((long) g.weightSize() * 4, 64);
            v.put(name + " forward", () -> simd.conv2dForward(par, g, x, 0, w, 0, y, 0));
            v.put(name + " backward-weights", () -> simd.conv2dBackwardWeights(par, g, x, 0, dy, 0, dw, 0));
            v.put(name + " backward-data", () -> simd.conv2dBackwardData(par, g, dy, 0, w, 0, dx, 0));
            flops.put(name + " forward", g.forwardFlops());
            flops.put(name + " backward-weights", g.forwardFlops());
            flops.put(name + " backward-data", g.forwardFlops());
        }
        for (PoolGeometry g : new PoolGeometry[]{new PoolGeometry(256 * 6, 28, 28, 2, 2),
                new PoolGeometry(256 * 16, 10, 10, 2, 2)}) {
            String name = g.h() == 28 ? "pool1" : "pool2";
            MemorySegment x = KernelSpeed.random(arena, g.inputSize(), rnd), y = arena.allocate(g.outputSize() * 4, 64);
            MemorySegment arg = arena.allocate(g.outputSize() * 4, 64), dy = KernelSpeed.random(arena, g.outputSize(), rnd);
            MemorySegment dx = arena.allocate(g.inputSize() * 4, 64);
            simd.maxPoolForward(g, x, 0, y, 0, arg, 0);
            v.put(name + " bwd simd", () -> simd.maxPoolBackward(g, dy, 0, arg, 0, dx, 0));
            v.put(name + " bwd scalar", () -> scalar.maxPoolBackward(g, dy, 0, arg, 0, dx, 0));
        }
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (String k : v.keySet()) times.put(k, new ArrayList<>());
        for (int i = 0; i < 3; i++) for (var e : v.entrySet()) KernelSpeed.timeCalls(e.getValue(), 0.3);
        for (int r = 0; r < rounds; r++) for (var e : v.entrySet()) times.get(e.getKey()).add(KernelSpeed.timeCalls(e.getValue(), 0.1));
        System.out.printf("threads=%d rounds=%d (ms per call: median [min, max])%n", threads, rounds);
        for (var e : times.entrySet()) {
            double[] t = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = t[t.length / 2];
            Double f = flops.get(e.getKey());
            System.out.printf("%-22s %8.3f [%7.3f, %7.3f]%s%n", e.getKey(), med, t[0], t[t.length - 1],
                    f == null ? "" : String.format("  = %5.1f GFLOP/s", f / med / 1e6));
        }
        par.close();
    }
}
