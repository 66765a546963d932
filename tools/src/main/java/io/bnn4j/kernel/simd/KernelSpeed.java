package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Not a test: a quick interleaved timing harness for kernel variants on a noisy shared machine.
 * Each round times every variant in turn (a few calls each), so load swings hit all variants
 * alike; prints the median, min and max per call over the rounds.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes \
 *     io.bnn4j.kernel.simd.KernelSpeed [rounds] [filter]
 * </pre>
 */
public final class KernelSpeed {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String filter = args.length > 1 ? args[1] : "";
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Arena arena = Arena.ofShared();
        SplittableRandom rnd = new SplittableRandom(3);
        Parallel par = new Parallel(threads);
        Map<String, Runnable> v = new LinkedHashMap<>();
        Map<String, Double> flops = new LinkedHashMap<>();
        Kernels simd = Kernels.simd(), scalar = Kernels.scalar();

        ConvGeometry c1 = new ConvGeometry(256, 1, 32, 32, 6, 5, 1, 0);
        ConvGeometry c2 = new ConvGeometry(256, 6, 14, 14, 16, 5, 1, 0);
        for (ConvGeometry g : new ConvGeometry[]{c1, c2}) {
            String name = g.cIn() == 1 ? "conv1" : "conv2";
            MemorySegment x = random(arena, (long) g.n() * g.inputSize(), rnd), w = random(arena, g.weightSize(), rnd);
            MemorySegment dy = random(arena, (long) g.n() * g.outputSize(), rnd);
            MemorySegment y = arena.allocate((long) g.n() * g.outputSize() * 4, 64);
            MemorySegment dw = arena.allocate((long) g.weightSize() * 4, 64);
            float[] wh = w.toArray(F);
            SimdConv.Scratch sc = new SimdConv.Scratch();
            v.put(name + " fwd direct", () -> SimdConv.forwardDirect(par, g, x, 0, wh, y, 0, sc));
            v.put(name + " fwd rows small", () -> ConvRowTiles.forward(par, g, x, 0, wh, y, 0, false));
            v.put(name + " fwd rows big", () -> ConvRowTiles.forward(par, g, x, 0, wh, y, 0, true));
            v.put(name + " fwd facade", () -> simd.conv2dForward(par, g, x, 0, w, 0, y, 0));
            v.put(name + " dW tiles", () -> ConvWeightTiles.backwardWeights(par, g, x, 0, dy, 0, dw, 0));
            v.put(name + " dW lanes", () -> ConvLaneWeights.backwardWeights(par, g, x, 0, dy, 0, dw, 0));
            MemorySegment dx = arena.allocate((long) g.n() * g.inputSize() * 4, 64);
            v.put(name + " dX facade", () -> simd.conv2dBackwardData(par, g, dy, 0, w, 0, dx, 0));
            v.put(name + " dW facade", () -> simd.conv2dBackwardWeights(par, g, x, 0, dy, 0, dw, 0));
            for (String k : v.keySet()) if (k.startsWith(name)) flops.putIfAbsent(k, g.forwardFlops());
        }
        PoolGeometry p1 = new PoolGeometry(256 * 6, 28, 28, 2, 2), p2 = new PoolGeometry(256 * 16, 10, 10, 2, 2);
        for (PoolGeometry g : new PoolGeometry[]{p1, p2}) {
            String name = g.h() == 28 ? "pool1" : "pool2";
            MemorySegment x = random(arena, g.inputSize(), rnd), y = arena.allocate(g.outputSize() * 4, 64);
            MemorySegment arg = arena.allocate(g.outputSize() * 4, 64), dy = random(arena, g.outputSize(), rnd);
            MemorySegment dx = arena.allocate(g.inputSize() * 4, 64);
            simd.maxPoolForward(g, x, 0, y, 0, arg, 0);
            v.put(name + " bwd scalar", () -> scalar.maxPoolBackward(g, dy, 0, arg, 0, dx, 0));
            v.put(name + " bwd simd", () -> simd.maxPoolBackward(g, dy, 0, arg, 0, dx, 0));
            v.put(name + " bwd fill only", () -> dx.fill((byte) 0));
        }
        Parallel two = new Parallel(2);
        for (int n : new int[]{512, 1024}) {
            MemorySegment a = random(arena, (long) n * n, rnd), b = random(arena, (long) n * n, rnd);
            MemorySegment c = arena.allocate((long) n * n * 4, 64);
            v.put("gemm" + n + " t1", () -> simd.gemm(Parallel.serial(), false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n));
            v.put("gemm" + n + " t2", () -> simd.gemm(two, false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n));
            GemmCore.APacker ap = new GemmCore.MatrixA(a, 0, n, false);
            GemmCore.BPacker bp = new GemmCore.MatrixB(b, 0, n, false);
            // The total work of the 2-thread split (4 strips) run on one thread: its overhead over t1.
            v.put("gemm" + n + " 4 col strips", () -> {
                for (int j = 0; j < n; j += n / 4) GemmCore.run(0, n, j, j + n / 4, n, 1f, ap, bp, 0f, c, 0, n, GemmCore.scratch());
            });
            v.put("gemm" + n + " 4 row strips", () -> {
                int strip = SimdGemm.roundUp(n / 4, GemmCore.MR);
                for (int i = 0; i < n; i += strip) GemmCore.run(i, Math.min(n, i + strip), 0, n, n, 1f, ap, bp, 0f, c, 0, n, GemmCore.scratch());
            });
            flops.put("gemm" + n + " 4 col strips", 2.0 * n * n * n);
            flops.put("gemm" + n + " 4 row strips", 2.0 * n * n * n);
            flops.put("gemm" + n + " t1", 2.0 * n * n * n);
            flops.put("gemm" + n + " t2", 2.0 * n * n * n);
        }
        // The dense layers of a one-image, 10-sample LeNet prediction: x (10 × in) · Wᵀ, W (out × in)
        for (int[] d : new int[][]{{10, 120, 400}, {10, 84, 120}}) {
            int m = d[0], n = d[1], k = d[2];
            MemorySegment a = random(arena, (long) m * k, rnd), b = random(arena, (long) n * k, rnd);
            MemorySegment c = arena.allocate((long) m * n * 4, 64);
            String name = "fc " + m + "x" + n + "x" + k + " B^T";
            v.put(name, () -> simd.gemm(Parallel.serial(), false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n));
            flops.put(name, 2.0 * m * n * k);
        }
        v.keySet().removeIf(k -> !k.matches(".*(" + filter + ").*"));
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (String k : v.keySet()) times.put(k, new ArrayList<>());
        // Warm up: C2 needs many calls before the vector code is fast.
        for (int i = 0; i < 3; i++) for (var e : v.entrySet()) timeCalls(e.getValue(), 0.3);
        for (int r = 0; r < rounds; r++) {
            for (var e : v.entrySet()) times.get(e.getKey()).add(timeCalls(e.getValue(), 0.1));
        }
        System.out.printf("threads=%d rounds=%d (ms per call: median [min, max])%n", threads, rounds);
        for (var e : times.entrySet()) {
            double[] t = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = t[t.length / 2];
            Double f = flops.get(e.getKey());
            System.out.printf("%-22s %8.3f [%7.3f, %7.3f]%s%n", e.getKey(), med, t[0], t[t.length - 1],
                    f == null ? "" : String.format("  = %5.1f GFLOP/s (best %5.1f)", f / med / 1e6, f / t[0] / 1e6));
        }
        par.close();
        two.close();
    }

    /** Milliseconds per call, averaged over calls filling about {@code seconds}. */
    static double timeCalls(Runnable r, double seconds) {
        long t0 = System.nanoTime();
        r.run();
        long one = Math.max(1, System.nanoTime() - t0);
        int calls = (int) Math.max(1, Math.min(10_000, seconds * 1e9 / one));
        t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) r.run();
        return (System.nanoTime() - t0) / 1e6 / calls;
    }

    /** n uniform floats in [−1, 1) in a 64-byte-aligned segment. */
    static MemorySegment random(Arena arena, long n, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(n * 4, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        return s;
    }
}
