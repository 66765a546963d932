package io.bnn4j.train;

import io.bnn4j.bayes.Nll;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Accuracy and NLL on labelled examples, from the mean of the softmax over T Monte-Carlo
 * samples (or from one pass with the means). Owns its buffers; reusable; one thread at a time.
 */
public final class Evaluator implements AutoCloseable {

    private final Model model;
    private final int batch, maxSamples;
    private final Arena arena = Arena.ofShared();
    private final InferenceSession session;
    private final MemorySegment images, logits;
    private final int[] labels;
    private final double[] scratch;

    public Evaluator(Model model, int batch, int maxSamples, Parallel par) {
        this.model = model;
        this.batch = batch;
        this.maxSamples = Math.max(1, maxSamples);
        this.session = new InferenceSession(model, batch, this.maxSamples, par);
        this.images = arena.allocate((long) batch * model.inputShape().size() * Float.BYTES, 64);
        this.logits = arena.allocate((long) batch * this.maxSamples * model.numClasses() * Float.BYTES, 64);
        this.labels = new int[batch];
        this.scratch = new double[Nll.scratchSize(model.numClasses(), this.maxSamples)];
    }

    /**
     * Evaluates {@code indices} of {@code source} (all of it when null).
     *
     * @param samples 0 = posterior means, else T Monte-Carlo samples (≤ the evaluator's maximum)
     * @param seed    noise key; batch j uses stream {@code streamBase + j}
     */
    public Evaluation evaluate(BatchSource source, int[] indices, int samples, long seed, long streamBase) {
        if (samples > maxSamples) throw new IllegalArgumentException(samples + " samples; this evaluator takes up to " + maxSamples);
        if (indices == null) {
            indices = new int[source.size()];
            for (int i = 0; i < indices.length; i++) indices[i] = i;
        }
        int t = Math.max(1, samples);
        double nll = 0;
        long[] correct = new long[1];
        int classes = model.numClasses();
        for (int from = 0, j = 0; from < indices.length; from += batch, j++) {
            int n = Math.min(batch, indices.length - from);
            source.writeBatch(indices, from, n, images, 0);
            for (int i = 0; i < n; i++) labels[i] = source.label(indices[from + i]);
            if (samples == 0) session.predictMean(images, 0, n, logits, 0);
            else session.predictSamples(images, 0, n, samples, seed, streamBase + j, logits, 0);
            nll += Nll.lossAndGrad(classes, t, n, 0, n, labels, logits, 0, 0f, null, 0, scratch, correct);
        }
        int n = indices.length;
        return new Evaluation(n, samples, n == 0 ? Double.NaN : (double) correct[0] / n, n == 0 ? Double.NaN : nll / n);
    }

    @Override
    public void close() {
        session.close();
        arena.close();
    }
}
