package io.bnn4j.prune;

import io.bnn4j.Progress;
import io.bnn4j.uncertainty.Latency;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.train.EpochListener;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.uncertainty.ModelEvaluator;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.OodMetrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole of `bnn prune`: measure a model, prune it (snr / magnitude masks on a copy, or an
 * l1-filter shrink into a smaller model), fine-tune it if asked, measure it again, and hand back
 * the report and the pruned model (the caller saves it, e.g. with {@code ModelStore.save}, and
 * closes it). The source model is never changed.
 *
 * <p>Figures before and after use the same seed and sample count, so their difference is the
 * pruning's, not the noise's: accuracy, NLL and ECE of the mean softmax over {@code samples}
 * posterior samples on the test set (ModelEvaluator), entropy AUROC against the OOD set when
 * there is one, the single-image {@code samples}-sample latency on one thread ({@link Latency}),
 * the mean counts, and the model file's size through the caller's {@link FileSizer} (this package
 * sits above {@code io}, so it does not write files itself).
 */
public final class Pruner {

    private Pruner() {}

    /** The bytes of the model file a model would be saved as (e.g. {@code m -> ModelStore.save(m, info, null, temp)}). */
    @FunctionalInterface
    public interface FileSizer {
        long bytes(Model model) throws IOException;
    }

    /**
     * What to do.
     *
     * @param method          snr, magnitude or l1-filter
     * @param sparsity        in [0, 1]: fraction of weights removed (snr, magnitude) or of units
     *                        removed per hidden layer (l1-filter)
     * @param scope           GLOBAL or PER_LAYER for snr and magnitude; ignored by l1-filter (may be null)
     * @param train           training data for fine-tuning; may be null when fineTuneEpochs is 0
     * @param test            labelled data for the before/after figures
     * @param ood             out-of-distribution images for the AUROC, or null
     * @param transform       how images reach the model's input (the model file's input transform)
     * @param fineTuneEpochs  epochs of fine-tuning after pruning (0: none)
     * @param fineTune        training settings for fine-tuning (epochs are replaced), or null for
     *                        {@link TrainConfig#plain()} with this request's seed and threads ({@link #fineTuneConfig()})
     * @param samples         Monte-Carlo samples for every figure (10 in bnn prune)
     * @param seed            seed of the evaluation noise
     * @param threads         threads for evaluation (latency is always one thread)
     * @param latencyWarmup   warm-up calls before timing ({@link Latency#WARMUP})
     * @param latencyCalls    timed calls ({@link Latency#CALLS})
     */
    public record Request(PruneMethod method, double sparsity, PruneScope scope, Dataset train, Dataset test, Dataset ood,
                          ImageTransform transform, int fineTuneEpochs, TrainConfig fineTune, int samples, long seed, int threads,
                          int latencyWarmup, int latencyCalls) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(test, "test");
            Objects.requireNonNull(transform, "transform");
            if (!(sparsity >= 0 && sparsity <= 1)) throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
            if (method.unstructured() && scope == null) scope = PruneScope.GLOBAL;
            if (!method.unstructured()) scope = null;
            if (fineTuneEpochs < 0) throw new IllegalArgumentException("fine-tune epochs must be >= 0, got " + fineTuneEpochs);
            if (fineTuneEpochs > 0 && train == null) throw new IllegalArgumentException("fine-tuning needs training data");
            if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, got " + samples);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }

        /** The fine-tuning settings: {@code fineTune}, or the defaults with this request's seed and threads. */
        public TrainConfig fineTuneConfig() {
            return fineTune != null ? fineTune : TrainConfig.plain().withSeed(seed).withThreads(threads);
        }

        /** Defaults: global scope, PAD, no fine-tuning, no OOD, 10 samples, seed 1, 1 thread, standard latency counts. */
        public static Request of(PruneMethod method, double sparsity, Dataset test) {
            return new Request(method, sparsity, PruneScope.GLOBAL, null, test, null, ImageTransform.PAD, 0, null, 10, 1, 1,
                    Latency.WARMUP, Latency.CALLS);
        }

        public Request withScope(PruneScope s) { return new Request(method, sparsity, s, train, test, ood, transform, fineTuneEpochs, fineTune, samples, seed, threads, latencyWarmup, latencyCalls); }

        public Request withOod(Dataset o) { return new Request(method, sparsity, scope, train, test, o, transform, fineTuneEpochs, fineTune, samples, seed, threads, latencyWarmup, latencyCalls); }

        public Request withTransform(ImageTransform t) { return new Request(method, sparsity, scope, train, test, ood, t, fineTuneEpochs, fineTune, samples, seed, threads, latencyWarmup, latencyCalls); }

        /** Fine-tuning on {@code trainData} for {@code epochs} epochs with {@code config} (null: defaults with this request's seed and threads). */
        public Request withFineTune(Dataset trainData, int epochs, TrainConfig config) { return new Request(method, sparsity, scope, trainData, test, ood, transform, epochs, config, samples, seed, threads, latencyWarmup, latencyCalls); }

        public Request withSamples(int t) { return new Request(method, sparsity, scope, train, test, ood, transform, fineTuneEpochs, fineTune, t, seed, threads, latencyWarmup, latencyCalls); }

        public Request withSeed(long s) { return new Request(method, sparsity, scope, train, test, ood, transform, fineTuneEpochs, fineTune, samples, s, threads, latencyWarmup, latencyCalls); }

        public Request withThreads(int n) { return new Request(method, sparsity, scope, train, test, ood, transform, fineTuneEpochs, fineTune, samples, seed, n, latencyWarmup, latencyCalls); }

        public Request withLatencyCalls(int warmup, int calls) { return new Request(method, sparsity, scope, train, test, ood, transform, fineTuneEpochs, fineTune, samples, seed, threads, warmup, calls); }
    }

    /** The report and the pruned model (owned by the caller: close it). */
    public record Outcome(PruneReport report, Model pruned) implements AutoCloseable {
        @Override
        public void close() {
            pruned.close();
        }
    }

    /**
     * Runs a request on {@code model} (left unchanged).
     *
     * @param sizer    the file size of a model, or null to report 0
     * @param progress one line per stage (measuring, pruning, each fine-tune epoch), or null
     */
    public static Outcome run(Model model, Request r, FileSizer sizer, Progress progress) {
        Consumer<String> say = progress == null ? s -> {} : progress::note;
        say.accept("measuring the model before pruning");
        Measurement before = measure(model, r, sizer);
        Model pruned = prune(model, r.method(), r.sparsity(), r.scope());
        try {
            if (r.fineTuneEpochs() > 0) {
                say.accept("fine-tuning for " + r.fineTuneEpochs() + " epochs");
                EpochListener l = s -> say.accept(String.format(java.util.Locale.ROOT, "fine-tune epoch %d/%d: loss %.4f, train accuracy %.4f, valid accuracy %.4f",
                        s.epoch(), r.fineTuneEpochs(), s.loss(), s.trainAccuracy(), s.validAccuracy()));
                FineTuning.fineTune(pruned, r.train(), r.transform(), r.fineTuneEpochs(), r.fineTuneConfig(), l);
            }
            say.accept("measuring the pruned model");
            Measurement after = measure(pruned, r, sizer);
            double achieved = 1 - (double) activeWeights(pruned) / Masks.weightCount(model);
            PruneReport report = new PruneReport(r.method().label(), r.sparsity(), r.scope(), achieved, r.fineTuneEpochs(),
                    model.spec() == null ? new int[0] : model.spec().widths(), pruned.spec() == null ? new int[0] : pruned.spec().widths(),
                    before, after);
            return new Outcome(report, pruned);
        } catch (RuntimeException e) {
            pruned.close();
            throw e;
        }
    }

    /**
     * A pruned copy of {@code model}: snr/magnitude mask a copy ({@link WeightPruner}), l1-filter
     * builds a smaller model ({@link FilterPruner}). The caller closes it.
     */
    public static Model prune(Model model, PruneMethod method, double sparsity, PruneScope scope) {
        if (!method.unstructured()) return FilterPruner.shrink(model, sparsity);
        Model copy = copyOf(model);
        try {
            WeightPruner.prune(copy, method, sparsity, scope == null ? PruneScope.GLOBAL : scope);
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    /** A new model with the same spec, μ, ρ and masks (optimizer state not copied). */
    public static Model copyOf(Model model) {
        if (model.spec() == null) throw new IllegalArgumentException("only models built from a ModelSpec can be copied");
        Model copy = Model.allocate(model.spec());
        try {
            copy.allMu().copyFrom(model.allMu());
            if (model.bayesian()) copy.allRho().copyFrom(model.allRho());
            for (int i = 0; i < model.parameters().size(); i++) {
                Parameter p = model.parameters().get(i);
                if (p.mask() != null) copy.parameters().get(i).setMask(p.mask().toArray());
            }
            copy.parametersChanged();
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    /** Every figure of {@link Measurement} for one model. */
    public static Measurement measure(Model model, Request r, FileSizer sizer) {
        long params = model.activeMeanCount();
        long learned = model.bayesian() ? 2 * params : params;
        long bytes;
        try {
            bytes = sizer == null ? 0 : sizer.bytes(model);
        } catch (IOException e) {
            throw new UncheckedIOException("could not measure the model file's size: " + e.getMessage(), e);
        }
        int t = r.samples();
        double auroc = Double.NaN;
        ModelEvaluator.Result in;
        try (Parallel par = new Parallel(r.threads());
             ModelEvaluator ev = new ModelEvaluator(model, Math.max(1, t), par)) {
            in = ev.evaluate(r.test(), r.transform(), t, Normalization.SOFTMAX, r.seed(), 0);
            if (r.ood() != null) {
                ModelEvaluator.Result out = ev.evaluate(r.ood(), r.transform(), t, Normalization.SOFTMAX, r.seed(), 1L << 32);
                auroc = OodMetrics.auroc(in.scores().entropy(), out.scores().entropy());
            }
        }
        float[] image = r.test().toFloats(0, model.inputShape().c(), model.inputShape().h(), model.inputShape().w(), r.transform());
        double latency = Latency.measure(model, image, t, r.latencyWarmup(), r.latencyCalls()).medianMs();
        var e = in.evaluation();
        return new Measurement(params, learned, Masks.weightSparsity(model), bytes, e.accuracy(), e.nll(), e.ece(), auroc, latency, t);
    }

    private static long activeWeights(Model m) {
        return Masks.weightCount(m) - Masks.removedWeights(m);
    }
}
