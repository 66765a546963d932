package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Not a test: times fillGaussian(4096) and unary(SOFTPLUS, 409600) on one thread after a
 * warm-up, prints ns per element (best and median of the batches) and bytes allocated per call.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes \
 *     io.bnn4j.kernel.simd.FillSpeed
 * </pre>
 */
public final class FillSpeed {

    public static void main(String[] args) {
        Kernels k = Kernels.instance();
        Parallel serial = Parallel.serial();
        Arena arena = Arena.ofShared();
        int n = 4096, m = 409600;
        MemorySegment seg = arena.allocate((long) n * 4, 64);
        MemorySegment x = arena.allocate((long) m * 4, 64), y = arena.allocate((long) m * 4, 64);
        for (int i = 0; i < m; i++) x.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (i % 2000 - 1000) * 0.03f);
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 20_000; i++) k.fillGaussian(serial, 42, 7, (long) i * n, n, seg, 0);
        for (int i = 0; i < 400; i++) k.unary(UnaryOp.SOFTPLUS, m, x, 0, y, 0);
        // fill: 40 batches of 500 calls
        double[] fill = new double[40];
        long a0 = tmx.getThreadAllocatedBytes(tid);
        for (int b = 0; b < fill.length; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 500; i++) k.fillGaussian(serial, 42, 7, (long) i * n, n, seg, 0);
            fill[b] = (System.nanoTime() - t0) / (500.0 * n);
        }
        double fillBytes = (tmx.getThreadAllocatedBytes(tid) - a0) / (40.0 * 500);
        double[] sp = new double[40];
        a0 = tmx.getThreadAllocatedBytes(tid);
        for (int b = 0; b < sp.length; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) k.unary(UnaryOp.SOFTPLUS, m, x, 0, y, 0);
            sp[b] = (System.nanoTime() - t0) / (5.0 * m);
        }
        double spBytes = (tmx.getThreadAllocatedBytes(tid) - a0) / (40.0 * 5);
        for (UnaryOp op : new UnaryOp[]{UnaryOp.EXP, UnaryOp.LOG1P, UnaryOp.SIGMOID}) {
            for (int i = 0; i < 300; i++) k.unary(op, m, x, 0, y, 0);
            a0 = tmx.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) k.unary(op, m, x, 0, y, 0);
            System.out.printf("%s(409600): %.3f ns/elem, %.0f B/call%n", op, (System.nanoTime() - t0) / (50.0 * m),
                    (tmx.getThreadAllocatedBytes(tid) - a0) / 50.0);
        }
        for (int i = 0; i < 300; i++) k.activationBackward(UnaryOp.SOFTPLUS, m, x, 0, x, 0, y, 0);
        a0 = tmx.getThreadAllocatedBytes(tid);
        long t1 = System.nanoTime();
        for (int i = 0; i < 50; i++) k.activationBackward(UnaryOp.SOFTPLUS, m, x, 0, x, 0, y, 0);
        System.out.printf("softplus backward (409600): %.3f ns/elem, %.0f B/call%n", (System.nanoTime() - t1) / (50.0 * m),
                (tmx.getThreadAllocatedBytes(tid) - a0) / 50.0);
        for (int i = 0; i < 20_000; i++) k.fillRademacher(serial, 42, 7, (long) i * n, n, seg, 0);
        a0 = tmx.getThreadAllocatedBytes(tid);
        long t2 = System.nanoTime();
        for (int i = 0; i < 5000; i++) k.fillRademacher(serial, 42, 7, (long) i * n, n, seg, 0);
        System.out.printf("fillRademacher(4096): %.3f ns/elem, %.0f B/call%n", (System.nanoTime() - t2) / (5000.0 * n),
                (tmx.getThreadAllocatedBytes(tid) - a0) / 5000.0);
        java.util.Random jr = new java.util.Random(1);
        float[] ref = new float[n];
        double bestRef = Double.MAX_VALUE;
        for (int b = 0; b < 200; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) ref[i] = (float) jr.nextGaussian();
            bestRef = Math.min(bestRef, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("java.util.Random#nextGaussian: best %.3f ns/sample (ref[0] %.3f)%n", bestRef, ref[0]);
        Arrays.sort(fill);
        Arrays.sort(sp);
        System.out.printf("simd=%b fillGaussian(4096): best %.3f median %.3f ns/elem, %.0f B/call%n",
                k.isSimd(), fill[0], fill[fill.length / 2], fillBytes);
        System.out.printf("softplus(409600): best %.3f median %.3f ns/elem, %.0f B/call%n", sp[0], sp[sp.length / 2], spBytes);
    }
}
