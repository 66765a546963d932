package io.bnn4j.uncertainty;

import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Measuring tool (not a test, not run by the build): steady-state heap bytes and latency of one
 * Bayesian LeNet-5 prediction (one image × T samples, one thread), as quoted in
 * docs/PERFORMANCE.md.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes \
 *     io.bnn4j.uncertainty.PredictionAllocation [T]
 * </pre>
 * Six rounds of 3,000 warm-up calls then 1,000 measured calls: bytes per call from the thread's
 * allocation counter, and the median and p99 of the measured calls.
 */
public final class PredictionAllocation {

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 1);
             Predictor p = Predictor.builder(m).samples(samples).build();
             Predictor.Context ctx = p.newContext()) {
            float[] image = new float[m.inputShape().size()];
            for (int i = 0; i < image.length; i++) image[i] = (i * 37 % 255) / 255f;
            double[] ms = new double[1000];
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < 3000; i++) ctx.predict(image);
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    ctx.predict(image);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                long bytes = (mx.getThreadAllocatedBytes(tid) - before) / ms.length;
                Arrays.sort(ms);
                System.out.printf(java.util.Locale.ROOT, "round %d: %d bytes/call, median %.3f ms, p99 %.3f ms%n",
                        round, bytes, ms[ms.length / 2], ms[(int) (ms.length * 0.99)]);
            }
        }
    }
}
