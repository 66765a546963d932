package io.bnn4j.uncertainty;

import io.bnn4j.Progress;
import io.bnn4j.nn.Model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Single-image prediction latency: one image, T posterior samples, one thread, through a
 * {@link Predictor.Context} (the path of {@code bnn predict} and of a service). Warm-up calls come
 * first (the Vector API code is 10–100× slower before C2 compiles it), then calls are timed one by
 * one. The machine may be shared: compare models measured in the same process, close together.
 */
public final class Latency {

    /** Defaults of {@link #measure(Model, float[], int, int, int)}: 300 warm-up calls, 200 timed calls. */
    public static final int WARMUP = 300, CALLS = 200;

    private Latency() {}

    /**
     * How long to measure: at least {@code warmupCalls} warm-up calls and {@code warmupNanos}, but
     * not past {@code warmupNanosLimit}; then {@code calls} timed calls, stopping early after
     * {@code timedNanosLimit} once {@code minCalls} are timed.
     */
    public record Plan(int warmupCalls, long warmupNanos, long warmupNanosLimit, int calls, int minCalls, long timedNanosLimit) {
        public Plan {
            if (warmupCalls < 0 || calls < 1 || minCalls < 1 || minCalls > calls) {
                throw new IllegalArgumentException("need warmupCalls >= 0 and 1 <= minCalls <= calls");
            }
        }

        /** A fixed number of calls, no time limits. */
        public static Plan calls(int warmup, int calls) {
            return new Plan(warmup, 0, Long.MAX_VALUE, calls, calls, Long.MAX_VALUE);
        }

        /** {@code bnn bench}: ≥ 1,000 warm-up calls and ≥ 2 s (≤ 30 s), then 2,000 calls (≤ 10 s, ≥ 100). */
        public static final Plan BENCH = new Plan(1000, 2_000_000_000L, 30_000_000_000L, 2000, 100, 10_000_000_000L);
    }

    /** The figures of one measurement, in milliseconds. */
    public record Result(double medianMs, double p90Ms, double p99Ms, int calls, int samples) {}

    /** {@link Plan#calls}: {@code warmup} calls, then {@code calls} timed ones. */
    public static Result measure(Model model, float[] image, int samples, int warmup, int calls) {
        return measure(model, image, samples, Plan.calls(warmup, calls), Progress.SILENT);
    }

    /**
     * @param image   one input image (C·H·W floats, the model's input shape)
     * @param samples T Monte-Carlo samples per call (0 = one pass with the mean weights)
     */
    public static Result measure(Model model, float[] image, int samples, Plan plan, Progress progress) {
        if (image.length != model.inputShape().size()) {
            throw new IllegalArgumentException("image has " + image.length + " values, the model takes " + model.inputShape().size());
        }
        try (Predictor p = Predictor.builder(model).samples(samples).maxBatch(1).build();
             Predictor.Context ctx = p.newContext()) {
            String what = String.format(Locale.ROOT, "1 image x %d samples", samples);
            double sink = 0;
            progress.start("warm-up: " + what, plan.warmupCalls());
            long t0 = System.nanoTime();
            for (int i = 0; (i < plan.warmupCalls() || System.nanoTime() - t0 < plan.warmupNanos())
                    && System.nanoTime() - t0 < plan.warmupNanosLimit(); i++) {
                sink += ctx.predict(image).entropy();
                progress.advance(1);
            }
            progress.done();
            long[] nanos = new long[plan.calls()];
            int timed = 0;
            progress.start("latency: " + what, plan.calls());
            long start = System.nanoTime();
            while (timed < plan.calls() && (timed < plan.minCalls() || System.nanoTime() - start < plan.timedNanosLimit())) {
                long a = System.nanoTime();
                sink += ctx.predict(image).entropy();
                nanos[timed++] = System.nanoTime() - a;
                progress.advance(1);
            }
            progress.done();
            if (Double.isNaN(sink)) throw new IllegalStateException("the model predicts NaN");
            long[] sorted = Arrays.copyOf(nanos, timed);
            Arrays.sort(sorted);
            return new Result(percentile(sorted, 0.5) * 1e-6, percentile(sorted, 0.9) * 1e-6, percentile(sorted, 0.99) * 1e-6,
                    timed, samples);
        }
    }

    /** The nearest-rank percentile of sorted values (the median of an even count: the mean of the middle two). */
    static double percentile(long[] sorted, double q) {
        if (q == 0.5 && sorted.length % 2 == 0) return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
