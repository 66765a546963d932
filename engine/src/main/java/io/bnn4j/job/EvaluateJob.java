package io.bnn4j.job;

import io.bnn4j.Progress;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.uncertainty.EvaluationResult;
import io.bnn4j.uncertainty.ModelEvaluator;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.OodMetrics;
import io.bnn4j.uncertainty.OodResult;
import io.bnn4j.uncertainty.plot.EvaluationPlot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Accuracy, NLL, Brier score and ECE of a model on a labelled set (the directory's test split
 * when it has one), with T Monte-Carlo samples; with an out-of-distribution set, how well the
 * uncertainty scores tell it apart; optionally the reliability diagram as a PNG.
 *
 * @param ood  an OOD dataset directory or a synthetic set's name (noise, inverted, flipped), or null
 * @param plot the reliability diagram to write, or null
 */
public record EvaluateJob(Path model, Path data, Path ood, int samples, Path plot, long seed, int threads) {

    public EvaluateJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** @param ood the out-of-distribution figures, or null without an OOD set */
    public record Result(EvaluationResult evaluation, OodResult ood, int samples, Path plot) {}

    public Result run(Progress progress) {
        try (Loaded loaded = ModelStore.loadClassifier(model); Parallel par = new Parallel(threads);
             ModelEvaluator ev = new ModelEvaluator(loaded.model(), samples, par)) {
            ImageTransform transform = loaded.info().inputTransform();
            Dataset test = Jobs.testOrTrain(data);
            Jobs.checkLabelled(data, test, loaded.model(), "evaluation");
            progress.note(String.format(Locale.ROOT, "evaluating on %,d images of %s (%d samples each)", test.size(), data, samples));
            ModelEvaluator.Result in = ev.evaluate(test, transform, samples, Normalization.SOFTMAX, seed, Jobs.TEST_STREAM);
            OodResult oodResult = null;
            ModelEvaluator.Result out = null;
            if (ood != null) {
                Dataset oodData = Jobs.oodSet(ood, test, seed);
                progress.note(String.format(Locale.ROOT, "out-of-distribution: %,d images of %s", oodData.size(), ood));
                out = ev.evaluate(oodData, transform, samples, Normalization.SOFTMAX, seed, Jobs.OOD_STREAM);
                oodResult = OodMetrics.evaluate(in.scores(), out.scores());
            }
            if (plot != null) {
                try {
                    EvaluationPlot.write(plot, in.evaluation(), out == null ? null : in.scores(), out == null ? null : out.scores());
                } catch (IOException x) {
                    throw new UncheckedIOException(plot + ": cannot be written (" + x.getMessage() + ")", x);
                }
            }
            return new Result(in.evaluation(), oodResult, samples, plot);
        }
    }
}
