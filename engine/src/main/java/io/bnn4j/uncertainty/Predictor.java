package io.bnn4j.uncertainty;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageFiles;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Noise;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's entry point for prediction with uncertainty, for low-latency JVM services: an
 * image in, class probabilities and every uncertainty figure of docs/UNCERTAINTY.md out (a
 * {@link McPrediction}: predicted class, confidence, predictive entropy, expected entropy,
 * mutual information, the Kwon et al. aleatoric/epistemic split per class), from T posterior
 * samples or, with {@code samples(0)}, one pass with the mean weights.
 *
 * <h2>Threads: one {@link Context} per thread</h2>
 * A predictor is immutable and shared; the mutable part of a prediction (an
 * {@link InferenceSession} sized for {@code maxBatch} images × T samples, the input and logit
 * buffers, the result) lives in a {@link Context}, which one thread uses at a time:
 * <ul>
 *   <li>{@link #newContext()} gives the caller a context of its own (close it when done): the
 *       choice for thread pools that keep a context per worker, and for virtual threads (keep a
 *       small pool of contexts rather than one per virtual thread);</li>
 *   <li>{@link #predict(float[])} is the shortcut: it uses the calling thread's context from a
 *       {@code ThreadLocal}, made on the thread's first call and closed with the predictor.</li>
 * </ul>
 * Any number of contexts may predict at once: they only read the model. The model must not be
 * trained or changed meanwhile.
 *
 * <h2>Memory</h2>
 * A context allocates its off-heap scratch (one shared arena) and its result when it is made.
 * After a warm-up, {@code predict} allocates nothing on the Java heap and nothing off-heap: the
 * result is the context's reused {@link McPrediction} (valid until the context's next call; keep
 * a {@link McPrediction#copy()}) or one the caller passes in. Scratch per context, roughly:
 * maxBatch · T × (the network's activations for one image) floats; the default maxBatch is
 * max(1, 256 / T) images (T = 1: 256).
 *
 * <h2>Noise</h2>
 * Counter-based: the samples of a call are a pure function of (seed, context number, stream).
 * Contexts are numbered 0, 1, 2, … in the order they are made; context k draws under the key
 * {@code seed + k·0x9E3779B97F4A7C15}. Every call takes the context's next stream number
 * (0, 1, 2, …), so repeated calls on one image give fresh samples, and a run that makes the
 * same calls in the same order is reproducible. {@link Context#predictKeyed} instead keys an
 * image's noise by the seed and the image's own row key alone. The overloads with an explicit {@code stream}
 * give the same numbers for the same (context number, stream, call shape) every time. Within a
 * batch call the noise of an image depends on its position and the batch size (LRT draws per
 * output element of the expanded batch), never on the thread count.
 *
 * <p>Inputs are (C, H, W) floats in [0, 1] at the model's input shape ({@link #inputShape()}
 * ints); {@link #readImage(Path)} reads and fits an image file the way the model was trained
 * (a predictor made by {@link #open(Path)} knows the model file's transform). A NaN pixel makes
 * non-finite outputs: an {@link IllegalArgumentException}.
 */
public final class Predictor implements AutoCloseable {

    /** Stream numbers wrap here ({@link Noise#MAX_STEP} + 1 = 2^44 calls per context). */
    private static final long STREAMS = Noise.MAX_STEP + 1;
    private static final long KEY_STEP = 0x9E3779B97F4A7C15L;
    /** Keyed predictions draw under seed ^ KEYED ^ …: never a context's key seed + k·KEY_STEP for small k. */
    private static final long KEYED = 0xD1B54A32D192ED03L;

    private final Model model;
    private final int samples;                   // T; 0 = one pass with the mean weights
    private final Normalization normalization;
    private final long seed;
    private final int maxBatch;
    private final List<String> classNames;
    private final boolean closesModel;
    private final ImageTransform inputTransform;
    private final int inSize, classes;
    private final AtomicInteger contextCount = new AtomicInteger();
    private final Set<Context> open = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Context> perThread = new ThreadLocal<>();
    private volatile boolean closed;

    private Predictor(Builder b) {
        this.model = b.model;
        this.samples = b.samples;
        this.normalization = b.normalization;
        this.seed = b.seed;
        this.maxBatch = b.maxBatch > 0 ? b.maxBatch : Math.max(1, 256 / Math.max(1, b.samples));
        this.classNames = b.classNames;
        this.closesModel = b.closesModel;
        this.inputTransform = b.inputTransform;
        this.inSize = model.inputShape().size();
        this.classes = model.numClasses();
    }

    /**
     * A stable row key from a name (a file name, a database id): 64-bit FNV-1a of its UTF-8 bytes.
     * The same name gives the same key on every JVM and machine.
     */
    public static long rowKey(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** A builder over {@code model}: by default T = 20 samples, softmax, seed 0. */
    public static Builder builder(Model model) {
        return new Builder(model);
    }

    /**
     * A predictor over a model file, T = 20 samples, seed 0: it owns the model (closing the
     * predictor frees it) and applies the file's class names and input transform.
     *
     * @throws io.bnn4j.BnnInputException when the file is missing or not a valid model
     */
    public static Predictor open(Path modelFile) {
        return open(modelFile, 20, 0);
    }

    /**
     * As {@link #open(Path)} with T Monte-Carlo samples (0: one pass with the mean weights)
     * and the key of the noise.
     */
    public static Predictor open(Path modelFile, int samples, long seed) {
        ModelStore.Loaded loaded = ModelStore.loadClassifier(modelFile);
        try {
            return builder(loaded.model()).samples(samples).seed(seed).classNames(loaded.info().classNames())
                    .inputTransform(loaded.info().inputTransform()).closesModel(true).build();
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** How to predict. */
    public static final class Builder {
        private final Model model;
        private int samples = 20;
        private Normalization normalization = Normalization.SOFTMAX;
        private long seed;
        private int maxBatch;
        private List<String> classNames;
        private boolean closesModel;
        private ImageTransform inputTransform = ImageTransform.PAD;

        private Builder(Model model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** T Monte-Carlo samples per image (≥ 1), or 0 for one deterministic pass with the mean weights. */
        public Builder samples(int t) {
            if (t < 0) throw new IllegalArgumentException("samples must be >= 0 (0 = mean weights), got " + t);
            this.samples = t;
            return this;
        }

        /** Mean weights: one deterministic pass, entropy only (no uncertainty split). */
        public Builder meanWeights() {
            return samples(0);
        }

        /** Softmax (default) or softplus normalization of each sample's outputs. */
        public Builder normalization(Normalization n) {
            this.normalization = Objects.requireNonNull(n, "normalization");
            return this;
        }

        /** The key of every random draw (see the class note on noise). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Images per forward pass in batch calls (larger batches are cut); default max(1, 256 / T). */
        public Builder maxBatch(int n) {
            if (n < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + n);
            this.maxBatch = n;
            return this;
        }

        /** The class names, indexed by class (for {@link Predictor#className(int)}). */
        public Builder classNames(List<String> names) {
            this.classNames = names == null ? null : List.copyOf(names);
            return this;
        }

        /** How {@link Predictor#readImage(Path)} fits images no larger than the input (default PAD). */
        public Builder inputTransform(ImageTransform t) {
            this.inputTransform = Objects.requireNonNull(t, "inputTransform");
            return this;
        }

        /** Whether {@link Predictor#close()} also closes the model (for predictors that loaded it). */
        public Builder closesModel(boolean v) {
            this.closesModel = v;
            return this;
        }

        public Predictor build() {
            if (classNames != null && classNames.size() != model.numClasses()) {
                throw new IllegalArgumentException(classNames.size() + " class names for " + model.numClasses() + " classes");
            }
            if (normalization == Normalization.PROBABILITIES) {
                throw new IllegalArgumentException("a network outputs logits: use softmax or softplus normalization");
            }
            return new Predictor(this);
        }
    }

    // ------------------------------------------------------------------ description

    public Model model() { return model; }

    /** T, or 0 for mean weights. */
    public int samples() { return samples; }

    public boolean meanWeights() { return samples == 0; }

    public Normalization normalization() { return normalization; }

    public long seed() { return seed; }

    /** Images per forward pass in batch calls. */
    public int maxBatch() { return maxBatch; }

    /** Floats per input image: C·H·W of the model's input. */
    public int inputSize() { return inSize; }

    /** The model's input shape as {C, H, W}. */
    public int[] inputShape() {
        var s = model.inputShape();
        return new int[]{s.c(), s.h(), s.w()};
    }

    public int numClasses() { return classes; }

    /** The name of class {@code c}, or its number when the predictor has no names. */
    public String className(int c) {
        Objects.checkIndex(c, classes);
        return classNames == null ? Integer.toString(c) : classNames.get(c);
    }

    /** The class names, or null when none were given. */
    public List<String> classNames() { return classNames; }

    // ------------------------------------------------------------------ contexts

    /** A context of the caller's own, serial (one thread computes each call). Close it when done. */
    public Context newContext() {
        return newContext(Parallel.serial());
    }

    /**
     * A context whose batch calls are split over {@code par}'s threads (in fixed blocks of
     * images: the results do not depend on the thread count). The pool is not closed with it.
     */
    public Context newContext(Parallel par) {
        if (closed) throw new IllegalStateException("the predictor is closed");
        Context c = new Context(contextCount.getAndIncrement(), Objects.requireNonNull(par, "par"));
        open.add(c);
        if (closed) {   // raced with close(): do not leak
            c.close();
            throw new IllegalStateException("the predictor is closed");
        }
        return c;
    }

    /** The calling thread's context (made on its first use, closed with the predictor). */
    public Context context() {
        Context c = perThread.get();
        if (c == null || c.closed) {
            c = newContext();
            perThread.set(c);
        }
        return c;
    }

    /**
     * Predicts one image with the calling thread's context. The result is that context's
     * reused object: read it before this thread's next call, or {@link McPrediction#copy()} it.
     *
     * @param image (C, H, W) floats in [0, 1], {@link #inputSize()} of them
     */
    public McPrediction predict(float[] image) {
        return context().predict(image);
    }

    /**
     * An image file (PNG, JPEG, …) as this model's input: channels converted, then the model's
     * input transform when the image fits the input (PAD: a 28×28 image centred in 32×32, as
     * trained), else a bilinear resize.
     *
     * @throws io.bnn4j.BnnInputException when the file is missing or not a readable image
     */
    public float[] readImage(Path imageFile) {
        return fit(ImageFiles.decode(imageFile));
    }

    /** An image file's bytes (PNG, JPEG, …) as this model's input, as {@link #readImage(Path)}; {@code name} names it in messages. */
    public float[] readImage(byte[] bytes, String name) {
        return fit(ImageFiles.decode(bytes, name));
    }

    private float[] fit(Dataset image) {
        var s = model.inputShape();
        boolean fits = image.height() <= s.h() && image.width() <= s.w();
        return image.toFloats(0, s.c(), s.h(), s.w(), fits ? inputTransform : ImageTransform.RESIZE);
    }

    /** Predicts an image file ({@link #readImage(Path)}) with the calling thread's context. */
    public McPrediction predict(Path imageFile) {
        return predict(readImage(imageFile));
    }

    /** How images no larger than the input are fitted to it. */
    public ImageTransform inputTransform() { return inputTransform; }

    /** Closes every context (and the model, when built with {@code closesModel(true)}). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Context c : open) c.close();
        if (closesModel) model.close();
    }

    /** Receives the prediction of image {@code index} of a batch call (the object is reused). */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, McPrediction prediction);
    }

    /**
     * One thread's prediction state: a session, input and logit buffers in its own arena, and a
     * reusable result. Not thread-safe; allocation-free after its first call.
     */
    public final class Context implements AutoCloseable {

        private final int number;
        private final long key;
        private final Arena arena = Arena.ofShared();
        private final InferenceSession session;
        private final MemorySegment input;       // (maxBatch, C, H, W)
        private final MemorySegment logits;      // (T, maxBatch, classes) sample-major
        private final float[] perImage;          // (T, classes): one image's rows, gathered
        private final McPrediction result;
        private final int rows;                  // T, or 1 for mean weights
        private long calls;
        private volatile boolean closed;

        private Context(int number, Parallel par) {
            this.number = number;
            this.key = seed + number * KEY_STEP;
            this.rows = Math.max(1, samples);
            InferenceSession s = new InferenceSession(model, maxBatch, rows, par);
            try {
                this.input = arena.allocate((long) maxBatch * inSize * Float.BYTES, 64);
                this.logits = arena.allocate((long) maxBatch * rows * classes * Float.BYTES, 64);
            } catch (RuntimeException e) {
                s.close();
                arena.close();
                throw e;
            }
            this.session = s;
            this.perImage = new float[rows * classes];
            this.result = new McPrediction(classes, rows);
        }

        /** This context's number (its noise key, see the class note). */
        public int number() { return number; }

        /** The calls made so far: the next call's stream number. */
        public long calls() { return calls; }

        public Predictor predictor() { return Predictor.this; }

        /** Predicts {@code image} (C, H, W) into this context's reused result. */
        public McPrediction predict(float[] image) {
            return predict(image, 0, result, nextStream());
        }

        /** Predicts the image at {@code image[offset ..]} into {@code out} (a result of the model's class count). */
        public McPrediction predict(float[] image, int offset, McPrediction out) {
            return predict(image, offset, out, nextStream());
        }

        /** As {@link #predict(float[], int, McPrediction)} with an explicit noise stream (reproducible). */
        public McPrediction predict(float[] image, int offset, McPrediction out, long stream) {
            return predictOne(image, offset, out, key, stream);
        }

        /**
         * Predicts one image with noise that depends only on the predictor's seed and the image's
         * own {@code rowKey} (see {@link Predictor#rowKey}): not on this context, its earlier
         * calls, other images or threads. What {@code bnn predict} does for image files and the
         * Spark scorer for every row, so that a file scores the same alone, in any batch, on any
         * executor, and after a retried task.
         */
        public McPrediction predictKeyed(float[] image, long rowKey, McPrediction out) {
            return predictOne(image, 0, out, keyedNoiseKey(rowKey), rowKey);
        }

        /** {@link #predictKeyed(float[], long, McPrediction)} into this context's reused result. */
        public McPrediction predictKeyed(float[] image, long rowKey) {
            return predictOne(image, 0, result, keyedNoiseKey(rowKey), rowKey);
        }

        /**
         * The generator key of a keyed prediction: the seed, a constant apart from every context's
         * key, and the row key's bits above the 44 of the stream number, so rows share noise only
         * when their whole 64-bit keys are equal.
         */
        private long keyedNoiseKey(long rowKey) {
            return seed ^ KEYED ^ ((rowKey >>> 44) * KEY_STEP);
        }

        private McPrediction predictOne(float[] image, int offset, McPrediction out, long noiseKey, long stream) {
            checkOut(out);
            Objects.checkFromIndexSize(offset, inSize, image.length);
            MemorySegment.copy(image, offset, input, ValueLayout.JAVA_FLOAT, 0, inSize);
            run(1, noiseKey, stream);
            // n = 1: the T rows of the image are contiguous in the sample-major logits
            if (samples == 0) {
                MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, 0, perImage, 0, classes);
                return out.computeMean(perImage, 0, normalization);
            }
            MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, 0, perImage, 0, rows * classes);
            return out.compute(perImage, 0, samples, normalization);
        }

        /**
         * Predicts {@code n} images laid out (n, C, H, W) from {@code images[offset ..]}; result
         * i goes into {@code out[i]} (each a result of the model's class count). Forward passes
         * take up to {@link #maxBatch()} images; each pass takes one stream number.
         */
        public void predictBatch(float[] images, int offset, int n, McPrediction[] out) {
            if (out.length < n) throw new IllegalArgumentException(out.length + " results for " + n + " images");
            for (int i = 0; i < n; i++) checkOut(out[i]);
            batch(images, offset, n, null, out);
        }

        /**
         * Predicts {@code n} images laid out (n, C, H, W) from {@code images[offset ..]},
         * handing each result to {@code sink} in order (the result object is reused).
         */
        public void predictBatch(float[] images, int offset, int n, Sink sink) {
            batch(images, offset, n, Objects.requireNonNull(sink, "sink"), null);
        }

        private void batch(float[] images, int offset, int n, Sink sink, McPrediction[] out) {
            if (n < 0) throw new IllegalArgumentException("negative image count " + n);
            Objects.checkFromIndexSize(offset, Math.multiplyExact(n, inSize), images.length);
            for (int from = 0; from < n; from += maxBatch) {
                int m = Math.min(maxBatch, n - from);
                MemorySegment.copy(images, offset + from * inSize, input, ValueLayout.JAVA_FLOAT, 0, m * inSize);
                run(m, key, nextStream());
                for (int i = 0; i < m; i++) {
                    // logits (rows, m, classes): gather image i's rows
                    for (int t = 0; t < rows; t++) {
                        MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, ((long) t * m + i) * classes * Float.BYTES,
                                perImage, t * classes, classes);
                    }
                    McPrediction p = out != null ? out[from + i] : result;
                    if (samples == 0) p.computeMean(perImage, 0, normalization);
                    else p.compute(perImage, 0, samples, normalization);
                    if (sink != null) sink.accept(from + i, p);
                }
            }
        }

        private void run(int n, long noiseKey, long stream) {
            if (closed) throw new IllegalStateException("this prediction context is closed");
            if (samples == 0) session.predictMean(input, 0, n, logits, 0);
            else session.predictSamples(input, 0, n, samples, noiseKey, Math.floorMod(stream, STREAMS), logits, 0);
        }

        private long nextStream() {
            long s = calls;
            calls = s + 1;
            return s;
        }

        private void checkOut(McPrediction out) {
            if (out.classes() != classes) {
                throw new IllegalArgumentException("a result for " + out.classes() + " classes; the model has " + classes);
            }
        }

        /** Frees the context's scratch. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            open.remove(this);
            session.close();
            arena.close();
        }
    }
}
