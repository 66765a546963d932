package io.bnn4j.prune;

import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Single-image prediction latency: one image, T posterior samples, one thread (a serial
 * {@link InferenceSession}, the `bnn predict` path). Runs {@code warmup} calls first (the
 * Vector API code is 10–100× slower before C2 compiles it), then times {@code calls} calls one
 * by one and reports their median. The machine may be shared: compare models measured in the
 * same process, close together.
 */
public final class Latency {

    /** Defaults: 300 warm-up calls, 200 timed calls. */
    public static final int WARMUP = 300, CALLS = 200;

    private Latency() {}

    /** The figures of one measurement, in milliseconds. */
    public record Result(double medianMs, double p90Ms, int calls, int samples) {}

    /**
     * @param image one input image (C·H·W floats, the model's input shape)
     * @param samples T Monte-Carlo samples per call (0 = one pass with the mean weights)
     */
    public static Result measure(Model model, float[] image, int samples, int warmup, int calls) {
        if (image.length != model.inputShape().size()) {
            throw new IllegalArgumentException("image has " + image.length + " values, the model takes " + model.inputShape().size());
        }
        if (calls < 1 || warmup < 0) throw new IllegalArgumentException("need calls >= 1 and warmup >= 0");
        int t = Math.max(1, samples);
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = new InferenceSession(model, 1, t)) {
            MemorySegment x = arena.allocate((long) image.length * Float.BYTES, 64);
            MemorySegment.copy(image, 0, x, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, image.length);
            MemorySegment logits = arena.allocate((long) t * model.numClasses() * Float.BYTES, 64);
            long[] nanos = new long[calls];
            for (int i = 0; i < warmup + calls; i++) {
                long start = System.nanoTime();
                if (samples == 0) session.predictMean(x, 0, 1, logits, 0);
                else session.predictSamples(x, 0, 1, samples, 1, i, logits, 0);
                long took = System.nanoTime() - start;
                if (i >= warmup) nanos[i - warmup] = took;
            }
            Arrays.sort(nanos);
            return new Result(percentile(nanos, 0.5) * 1e-6, percentile(nanos, 0.9) * 1e-6, calls, samples);
        }
    }

    /** The nearest-rank percentile of sorted values (the median of an even count: the mean of the middle two). */
    static double percentile(long[] sorted, double q) {
        if (q == 0.5 && sorted.length % 2 == 0) return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
