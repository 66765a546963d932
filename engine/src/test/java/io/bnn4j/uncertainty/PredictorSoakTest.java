package io.bnn4j.uncertainty;

import io.bnn4j.bayes.Prior;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Concurrency soak: one model, one shared mean-weight predictor and one shared sampled
 * predictor, 8 threads with contexts of their own, 10⁵ calls per thread. Every answer must
 * equal the single-thread answer for the same image (and, sampled, the same noise stream) bit
 * for bit; heap and off-heap memory must stay flat; closing a predictor while calls run must
 * end those calls with an {@link IllegalStateException} and nothing else.
 *
 * <p>A small LeNet-5 (16×16 input, widths 2-3-8-8) keeps 800,000 calls within a minute on
 * two cores: concurrency bugs do not need a big network to show.
 */
class PredictorSoakTest {

    static final int THREADS = 8, CALLS = 100_000, IMAGES = 32, SAMPLES = 4;

    static Model model() {
        ModelSpec spec = new ModelSpec("lenet5", 1, 16, 16, 4, Estimator.LRT, Activation.RELU, Prior.defaultPrior(),
                new int[]{2, 3, 8, 8});
        return Model.create(spec, 17);
    }

    static float[][] images() {
        Random r = new Random(5);
        float[][] x = new float[IMAGES][256];
        for (float[] img : x) for (int i = 0; i < img.length; i++) img[i] = r.nextFloat();
        return x;
    }

    /** The bits of a result that must repeat exactly. */
    static long[] bits(McPrediction p) {
        long[] b = new long[p.classes() + 3];
        for (int c = 0; c < p.classes(); c++) b[c] = Double.doubleToRawLongBits(p.probability(c));
        b[p.classes()] = Double.doubleToRawLongBits(p.entropy());
        b[p.classes() + 1] = Double.doubleToRawLongBits(p.mutualInformation());
        b[p.classes() + 2] = p.predicted();
        return b;
    }

    @Test
    void eightThreadsAgreeWithOneBitForBitAndMemoryStaysFlat() throws Exception {
        float[][] x = images();
        try (Model m = model();
             Predictor mean = Predictor.builder(m).meanWeights().build();
             Predictor sampled = Predictor.builder(m).samples(SAMPLES).seed(3).build()) {
            // single-thread reference of the mean-weight answers
            long[][] wantMean = new long[IMAGES][];
            try (Predictor.Context c = mean.newContext()) {
                for (int i = 0; i < IMAGES; i++) wantMean[i] = bits(c.predict(x[i]));
            }
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicLong done = new AtomicLong();
            long[] directAt = new long[2];
            long[] heapAt = new long[2];
            CountDownLatch ready = new CountDownLatch(THREADS), go = new CountDownLatch(1), warmed = new CountDownLatch(THREADS),
                    measured = new CountDownLatch(1), finished = new CountDownLatch(THREADS), release = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Predictor.Context cm = mean.newContext(); Predictor.Context cs = sampled.newContext()) {
                        try {
                            // the single-thread reference for this thread's sampled context: a twin
                            // predictor's context of the same number (same noise key), same streams
                            long[][] want = new long[IMAGES][];
                            try (Predictor twin = Predictor.builder(m).samples(SAMPLES).seed(3).build();
                                 Predictor.Context keyed = contextNumbered(twin, cs.number())) {
                                for (int i = 0; i < IMAGES; i++) want[i] = bits(keyed.predict(x[i], 0, new McPrediction(4, SAMPLES), i));
                            }
                            McPrediction out = new McPrediction(4, SAMPLES);
                            ready.countDown();
                            go.await();
                            for (int call = 0; call < CALLS; call++) {
                                if (call == 2_000) {
                                    warmed.countDown();
                                    measured.await();
                                }
                                int i = (call * 7 + id) % IMAGES;
                                if ((call & 1) == 0) {
                                    McPrediction p = cm.predict(x[i]);
                                    if (!java.util.Arrays.equals(wantMean[i], bits(p))) {
                                        errors.add("thread " + id + " call " + call + ": mean-weight answer differs for image " + i);
                                    }
                                } else {
                                    McPrediction p = cs.predict(x[i], 0, out, i);
                                    if (!java.util.Arrays.equals(want[i], bits(p))) {
                                        errors.add("thread " + id + " call " + call + ": sampled answer differs for image " + i);
                                    }
                                    double sum = 0;
                                    for (int c = 0; c < 4; c++) sum += p.probability(c);
                                    if (!(Math.abs(sum - 1) < 1e-6) || !Double.isFinite(p.mutualInformation())) {
                                        errors.add("thread " + id + " call " + call + ": not normalised or not finite");
                                    }
                                }
                                if (errors.size() > 20) return;
                            }
                            done.addAndGet(CALLS);
                        } finally {
                            // contexts still open: the main thread measures the memory after all calls
                            finished.countDown();
                            release.await();
                        }
                    } catch (Throwable e) {
                        errors.add("thread " + id + ": " + e);
                    }
                }));
            }
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                ready.await();
                go.countDown();
                warmed.await();
                // every context exists and has run: the memory now is the steady state
                heapAt[0] = usedHeapAfterGc();
                directAt[0] = directMemoryUsed();
                measured.countDown();
                finished.await();
                // 8 × 10⁵ calls later, the same contexts still open
                heapAt[1] = usedHeapAfterGc();
                directAt[1] = directMemoryUsed();
                release.countDown();
                for (Thread t : threads) t.join();
            });
            assertTrue(errors.isEmpty(), errors.size() + " problems, first: " + errors.stream().limit(5).toList());
            assertEquals((long) THREADS * CALLS, done.get());
            assertTrue(heapAt[1] - heapAt[0] < 16 << 20, "heap after GC grew from " + heapAt[0] + " to " + heapAt[1] + " bytes");
            // any off-heap bytes per call would show as ≥ 800 kB here
            assertTrue(Math.abs(directAt[1] - directAt[0]) <= 64 << 10,
                    "off-heap moved from " + directAt[0] + " to " + directAt[1] + " bytes");
        }
    }

    /**
     * A context of {@code p} with the given context number (contexts are numbered in creation
     * order): makes and closes the ones before it.
     */
    static Predictor.Context contextNumbered(Predictor p, int number) {
        while (true) {
            Predictor.Context c = p.newContext();
            if (c.number() == number) return c;
            c.close();
            if (c.number() > number) throw new AssertionError("context " + number + " already made");
        }
    }

    @Test
    void closingThePredictorWhileCallsRunEndsThemWithIllegalStateOnly() throws Exception {
        float[][] x = images();
        for (boolean closesModel : new boolean[]{false, true}) {
            Model m = model();
            Predictor p = Predictor.builder(m).samples(SAMPLES).closesModel(closesModel).build();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicLong stopped = new AtomicLong(), calls = new AtomicLong();
            CountDownLatch running = new CountDownLatch(THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    Predictor.Context c;
                    try {
                        c = p.newContext();
                    } catch (IllegalStateException e) {
                        stopped.incrementAndGet();
                        running.countDown();
                        return;
                    }
                    running.countDown();
                    for (int call = 0; ; call++) {
                        try {
                            McPrediction r = c.predict(x[(call + id) % IMAGES]);
                            if (!Double.isFinite(r.entropy())) errors.add("thread " + id + ": non-finite result before the close");
                            calls.incrementAndGet();
                        } catch (IllegalStateException e) {
                            stopped.incrementAndGet();
                            return;
                        } catch (Throwable e) {
                            errors.add("thread " + id + ": " + e);
                            return;
                        }
                    }
                }));
            }
            running.await();
            while (calls.get() < 1000) Thread.onSpinWait();
            p.close();
            for (Thread t : threads) t.join(30_000);
            for (Thread t : threads) assertFalse(t.isAlive(), "a thread kept predicting after the close");
            assertTrue(errors.isEmpty(), "closesModel=" + closesModel + ": " + errors.stream().limit(5).toList());
            assertEquals(THREADS, stopped.get(), "every thread's next call failed with IllegalStateException");
            assertThrows(IllegalStateException.class, p::newContext);
            if (!closesModel) m.close();
        }
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long directMemoryUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) return b.getMemoryUsed();
        }
        throw new AssertionError("no direct buffer pool");
    }
}
