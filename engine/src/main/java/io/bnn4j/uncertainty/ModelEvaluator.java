package io.bnn4j.uncertainty;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.Evaluator;

/**
 * Runs a model over a whole dataset and gathers, per image, the Monte-Carlo summary
 * ({@link McPrediction}): the calibration figures when the set is labelled, and the uncertainty
 * scores for out-of-distribution detection. The batch is split over the pool in fixed blocks,
 * so the figures do not depend on the thread count.
 *
 * <p>Noise: batch j of a call uses stream {@code streamBase + j} under {@code seed}
 * ({@link Evaluator}, which runs the batches).
 */
public final class ModelEvaluator implements AutoCloseable {

    /** Images per forward pass. */
    public static final int BATCH = 256;

    private final Model model;
    private final Evaluator evaluator;
    private final McPrediction prediction;

    /** The figures of one pass over a dataset. */
    public record Result(EvaluationResult evaluation, UncertaintyScores scores, int samples) {}

    public ModelEvaluator(Model model, int maxSamples, Parallel par) {
        this.model = model;
        this.evaluator = new Evaluator(model, BATCH, maxSamples, par);
        this.prediction = new McPrediction(model.numClasses(), evaluator.maxSamples());
    }

    /**
     * Evaluates every image of {@code data} with T = {@code samples} posterior samples (0: one
     * pass with the mean weights). Labels enter the calibration figures when the set has them.
     */
    public Result evaluate(Dataset data, ImageTransform transform, int samples, Normalization norm, long seed, long streamBase) {
        int classes = model.numClasses();
        boolean labelled = data.hasLabels();
        if (labelled && data.numClasses() > classes) {
            throw new io.bnn4j.BnnInputException(data.source() + ": has " + data.numClasses() + " classes, the model predicts " + classes);
        }
        EvaluationAccumulator acc = new EvaluationAccumulator(classes);
        UncertaintyScores scores = new UncertaintyScores();
        evaluator.forEach(new DatasetSource(data, model.inputShape(), transform), samples, seed, streamBase, (i, rows, t) -> {
            if (samples == 0) prediction.computeMean(rows, 0, norm);
            else prediction.compute(rows, 0, samples, norm);
            if (labelled) acc.add(prediction, data.label(i));
            scores.add(prediction);
        });
        return new Result(labelled ? acc.result() : null, scores, samples);
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
