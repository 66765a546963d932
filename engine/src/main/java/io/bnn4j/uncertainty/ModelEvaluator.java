package io.bnn4j.uncertainty;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.ImageShape;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs a model over a whole dataset and gathers, per image, the Monte-Carlo summary
 * ({@link McPrediction}): the calibration figures when the set is labelled, and the uncertainty
 * scores for out-of-distribution detection. The batch is split over the pool in fixed blocks,
 * so the figures do not depend on the thread count.
 *
 * <p>Noise: batch j of a call uses stream {@code streamBase + j} under {@code seed}.
 */
public final class ModelEvaluator implements AutoCloseable {

    /** Images per forward pass. */
    public static final int BATCH = 256;

    private final Model model;
    private final int maxSamples;
    private final Arena arena = Arena.ofShared();
    private final InferenceSession session;
    private final MemorySegment images, logits;
    private final float[] perImage;             // (T, C) of one image, gathered from sample-major logits
    private final McPrediction prediction;
    private final int[] indices = new int[BATCH];

    /** The figures of one pass over a dataset. */
    public record Result(EvaluationResult evaluation, UncertaintyScores scores, int samples) {}

    public ModelEvaluator(Model model, int maxSamples, Parallel par) {
        this.model = model;
        this.maxSamples = Math.max(1, maxSamples);
        this.session = new InferenceSession(model, BATCH, this.maxSamples, par);
        ImageShape in = model.inputShape();
        this.images = arena.allocate((long) BATCH * in.size() * Float.BYTES, 64);
        this.logits = arena.allocate((long) BATCH * this.maxSamples * model.numClasses() * Float.BYTES, 64);
        this.perImage = new float[this.maxSamples * model.numClasses()];
        this.prediction = new McPrediction(model.numClasses(), this.maxSamples);
    }

    /**
     * Evaluates every image of {@code data} with T = {@code samples} posterior samples (0: one
     * pass with the mean weights). Labels enter the calibration figures when the set has them.
     */
    public Result evaluate(Dataset data, ImageTransform transform, int samples, Normalization norm, long seed, long streamBase) {
        if (samples < 0 || samples > maxSamples) throw new IllegalArgumentException("samples must be in 0.." + maxSamples + ", got " + samples);
        int classes = model.numClasses();
        ImageShape in = model.inputShape();
        boolean labelled = data.hasLabels();
        if (labelled && data.numClasses() > classes) {
            throw new io.bnn4j.BnnInputException(data.source() + ": has " + data.numClasses() + " classes, the model predicts " + classes);
        }
        EvaluationAccumulator acc = new EvaluationAccumulator(classes);
        UncertaintyScores scores = new UncertaintyScores();
        int t = Math.max(1, samples);
        for (int from = 0, j = 0; from < data.size(); from += BATCH, j++) {
            int n = Math.min(BATCH, data.size() - from);
            for (int i = 0; i < n; i++) indices[i] = from + i;
            data.writeBatch(indices, 0, n, images, 0, in.c(), in.h(), in.w(), transform);
            if (samples == 0) session.predictMean(images, 0, n, logits, 0);
            else session.predictSamples(images, 0, n, samples, seed, streamBase + j, logits, 0);
            for (int i = 0; i < n; i++) {
                // logits are sample-major (T, n, C): gather image i's T rows
                for (int s = 0; s < t; s++) {
                    MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, (((long) s * n + i) * classes) * Float.BYTES,
                            perImage, s * classes, classes);
                }
                if (samples == 0) prediction.computeMean(perImage, 0, norm);
                else prediction.compute(perImage, 0, samples, norm);
                if (labelled) acc.add(prediction, data.label(from + i));
                scores.add(prediction);
            }
        }
        return new Result(labelled ? acc.result() : null, scores, samples);
    }

    @Override
    public void close() {
        session.close();
        arena.close();
    }
}
