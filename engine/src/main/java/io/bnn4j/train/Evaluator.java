package io.bnn4j.train;

import io.bnn4j.bayes.Nll;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs a model over examples in batches, with T Monte-Carlo samples or one pass with the
 * posterior means: accuracy and NLL of the mean softmax ({@link #evaluate}), or every image's T
 * rows of logits for a caller's own figures ({@link #forEach}, what the calibration and OOD
 * evaluation build on). Owns its buffers; reusable; one thread at a time.
 *
 * <p>Noise: batch j of a call uses stream {@code streamBase + j} under {@code seed}, so results
 * depend on the batch size but not on the thread count.
 */
public final class Evaluator implements AutoCloseable {

    /** One image's outputs: {@code rows} holds (T, C) logits, T = {@code samples} (1 for the means). */
    public interface ImageSink {
        void accept(int position, float[] rows, int samples);
    }

    private final Model model;
    private final int batch, maxSamples;
    private final Arena arena = Arena.ofShared();
    private final InferenceSession session;
    private final MemorySegment images, logits;   // (batch, C, H, W); (T, batch, classes) sample-major
    private final int[] labels;
    private final double[] scratch;
    private final float[] perImage;               // (T, classes) of one image, gathered

    public Evaluator(Model model, int batch, int maxSamples, Parallel par) {
        this.model = model;
        this.batch = batch;
        this.maxSamples = Math.max(1, maxSamples);
        this.session = new InferenceSession(model, batch, this.maxSamples, par);
        this.images = arena.allocate((long) batch * model.inputShape().size() * Float.BYTES, 64);
        this.logits = arena.allocate((long) batch * this.maxSamples * model.numClasses() * Float.BYTES, 64);
        this.labels = new int[batch];
        this.scratch = new double[Nll.scratchSize(model.numClasses(), this.maxSamples)];
        this.perImage = new float[this.maxSamples * model.numClasses()];
    }

    /** The largest T this evaluator takes. */
    public int maxSamples() {
        return maxSamples;
    }

    /**
     * Accuracy and NLL on {@code indices} of {@code source} (all of it when null).
     *
     * @param samples 0 = posterior means, else T Monte-Carlo samples (≤ the evaluator's maximum)
     */
    public Evaluation evaluate(BatchSource source, int[] indices, int samples, long seed, long streamBase) {
        int[] idx = indices != null ? indices : all(source.size());
        int t = Math.max(1, samples);
        double[] nll = {0};
        long[] correct = new long[1];
        int classes = model.numClasses();
        run(source, idx, samples, seed, streamBase, (from, n) -> {
            for (int i = 0; i < n; i++) labels[i] = source.label(idx[from + i]);
            nll[0] += Nll.lossAndGrad(classes, t, n, 0, n, labels, logits, 0, 0f, null, 0, scratch, correct);
        });
        int n = idx.length;
        return new Evaluation(n, samples, n == 0 ? Double.NaN : (double) correct[0] / n, n == 0 ? Double.NaN : nll[0] / n);
    }

    /** Passes every image of {@code source} (in order) to {@code sink}, with its position in the source. */
    public void forEach(BatchSource source, int samples, long seed, long streamBase, ImageSink sink) {
        int classes = model.numClasses();
        int t = Math.max(1, samples);
        run(source, all(source.size()), samples, seed, streamBase, (from, n) -> {
            for (int i = 0; i < n; i++) {
                // logits are sample-major (T, n, C): gather image i's T rows
                for (int s = 0; s < t; s++) {
                    MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, (((long) s * n + i) * classes) * Float.BYTES,
                            perImage, s * classes, classes);
                }
                sink.accept(from + i, perImage, t);
            }
        });
    }

    /** Receives batch j's outputs in {@link #logits}: positions {@code from .. from + n - 1}. */
    private interface BatchDone {
        void accept(int from, int n);
    }

    private void run(BatchSource source, int[] indices, int samples, long seed, long streamBase, BatchDone done) {
        if (samples < 0 || samples > maxSamples) throw new IllegalArgumentException("samples must be in 0.." + maxSamples + ", got " + samples);
        for (int from = 0, j = 0; from < indices.length; from += batch, j++) {
            int n = Math.min(batch, indices.length - from);
            source.writeBatch(indices, from, n, images, 0);
            if (samples == 0) session.predictMean(images, 0, n, logits, 0);
            else session.predictSamples(images, 0, n, samples, seed, streamBase + j, logits, 0);
            done.accept(from, n);
        }
    }

    private static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    @Override
    public void close() {
        session.close();
        arena.close();
    }
}
