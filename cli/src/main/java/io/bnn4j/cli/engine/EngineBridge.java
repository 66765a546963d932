package io.bnn4j.cli.engine;

import io.bnn4j.cli.Choices.Activation;
import io.bnn4j.cli.Choices.Arch;
import io.bnn4j.cli.Choices.Beta;
import io.bnn4j.cli.Choices.Kl;
import io.bnn4j.cli.Choices.Layer;
import io.bnn4j.cli.Choices.LrScheduleChoice;
import io.bnn4j.cli.Choices.Normalization;
import io.bnn4j.cli.Choices.PruneMethod;
import io.bnn4j.cli.Choices.PruneScope;
import io.bnn4j.cli.Progress;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The seam between the command line and the engine: the commands validate their flags, build
 * one of these requests (every value already checked and defaulted), call the bridge, and
 * format what comes back (text or JSON Lines). Nothing here computes anything.
 *
 * <p>{@link #standard()} is {@link StandardEngine}, over the library (prune still answers "not
 * available yet": {@link EngineNotAvailableException}, one line, exit 1). {@link #unwired()}
 * answers so for every command (tests of the output paths use their own stand-ins).
 *
 * <p>Errors: bad input the engine finds (a malformed dataset, an image of the wrong size, a
 * model file without the metadata it needs) must be {@link io.bnn4j.BnnInputException} with a
 * one-line message (exit 2); anything else is a runtime failure (exit 1).
 */
public interface EngineBridge {

    /**
     * Trains, calling {@code onEpoch} after every epoch, writes the model to {@code out} (and a
     * checkpoint after each epoch when asked), and returns the summary.
     */
    TrainSummary train(TrainRequest request, Progress progress, Consumer<EpochReport> onEpoch);

    /** Predicts every input (every image of an IDX file), in order, passing each to {@code out}. */
    void predict(PredictRequest request, Progress progress, Consumer<Prediction> out);

    EvaluationReport evaluate(EvaluateRequest request, Progress progress);

    PruneReport prune(PruneRequest request, Progress progress);

    BenchReport bench(BenchRequest request, Progress progress);

    /** The engine the {@code bnn} command uses. */
    static EngineBridge standard() {
        return new StandardEngine();
    }

    /** Every command answers "not available yet". */
    static EngineBridge unwired() {
        return new UnwiredEngine();
    }

    // ------------------------------------------------------------------ requests (validated)

    /**
     * @param data       the dataset directory (given or the bundled sample), exists
     * @param limit      the first N training examples, or null for all
     * @param checkpoint where to write a checkpoint after each epoch, or null
     * @param resume     a checkpoint to resume from, or null
     */
    record TrainRequest(Arch arch, Layer layer, Activation activation, Path data, int epochs, int batchSize, double lr,
                        LrScheduleChoice lrSchedule, int trainSamples, Beta beta, Kl kl, double priorSigma, double validFraction, Integer limit,
                        long seed, int threads, Path out, Path checkpoint, Path resume, io.bnn4j.train.Init init,
                        boolean calibrate, double dropout) {}

    /**
     * @param samples Monte-Carlo samples T (ignored when {@code mean})
     * @param mean    one deterministic pass with the mean weights
     * @param inputs  image files or IDX files, each exists
     * @param limit   the first N images of each IDX input, or null for all
     */
    record PredictRequest(Path model, int samples, boolean mean, Normalization normalization, List<Path> inputs,
                          long seed, int threads, Integer limit) {}

    /** @param ood an out-of-distribution dataset directory, or null; @param plot a reliability diagram PNG to write, or null */
    record EvaluateRequest(Path model, Path data, Path ood, int samples, Path plot, long seed, int threads) {}

    /**
     * @param scope for snr and magnitude; null for l1-filter
     * @param lr    fine-tuning learning rate
     * @param beta  fine-tuning KL weight (the KL direction is the model's own)
     * @param ood   an out-of-distribution dataset directory for the AUROC before and after, or null
     */
    record PruneRequest(Path model, PruneMethod method, double sparsity, PruneScope scope, Path data, int fineTuneEpochs,
                        double lr, Beta beta, Path out, long seed, int threads, Path ood) {}

    /** @param model a model to measure, or null to measure a fresh {@code arch}/{@code layer} network */
    record BenchRequest(Path model, Arch arch, Layer layer, int samples, int batchSize, long seed, int threads) {}

    // ------------------------------------------------------------------ results

    /** One epoch of training; JSON fields as docs/CLI.md (train). */
    record EpochReport(int epoch, int epochs, double loss, double nll, double kl, double beta, double trainAccuracy,
                       double validAccuracy, double validNll, double seconds, double imagesPerSecond, boolean pretraining) {}

    /** @param testAccuracy on the test split when the data has one, else null */
    record TrainSummary(Path model, Double testAccuracy, Double temperature) {}

    /**
     * One prediction; JSON fields as docs/CLI.md (predict).
     *
     * @param index              the image's index within an IDX input, or null for an image file
     * @param label              the predicted class's name
     * @param expectedEntropy    null with {@code --mean} (likewise every split field below)
     * @param samples            the Monte-Carlo samples used (0 with {@code --mean})
     */
    record Prediction(String input, Integer index, int predicted, String label, double confidence,
                      double[] probabilities, double entropy, Double expectedEntropy, Double mutualInformation,
                      Double aleatoric, Double epistemic, double[] aleatoricPerClass, double[] epistemicPerClass,
                      int samples) {}

    /** @param ood the out-of-distribution scores, or null without {@code --ood} */
    record EvaluationReport(long n, int samples, double accuracy, double nll, double brier, double ece, OodReport ood,
                            Path plot) {}

    record OodReport(long oodN, double aurocEntropy, double aurocMutualInformation, double aurocConfidence,
                     double auprEntropy) {}

    /**
     * Before and after pruning; JSON fields as docs/CLI.md (prune). The NLL, file sizes and OOD
     * AUROC of docs/PRUNING.md's report are shown in the text output (null when not measured).
     */
    record PruneReport(String method, double sparsity, long parametersBefore, long parametersAfter,
                       double accuracyBefore, double accuracyAfter, double eceBefore, double eceAfter,
                       double latencyMsBefore, double latencyMsAfter, Double nllBefore, Double nllAfter,
                       Double aurocBefore, Double aurocAfter, Path out) {}

    record BenchReport(double predictLatencyMsMedian, double predictLatencyMsP99, double predictImagesPerSecond,
                       double trainImagesPerSecond, int threads, int samples, int batchSize, String arch, String layer) {}
}
