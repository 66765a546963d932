package io.bnn4j.cli.engine;

import io.bnn4j.BnnInputException;
import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Prior;
import io.bnn4j.cli.Choices;
import io.bnn4j.cli.Progress;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.SyntheticOod;
import io.bnn4j.data.IdxFiles;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.io.ModelStore.ModelInfo;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.ImageShape;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.TrainBench;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.LrSchedule;
import io.bnn4j.train.Plateau;
import io.bnn4j.train.Trainer;
import io.bnn4j.train.TrainerState;
import io.bnn4j.train.TrainingDivergedException;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.ModelEvaluator;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.OodMetrics;
import io.bnn4j.uncertainty.OodResult;
import io.bnn4j.uncertainty.Predictor;
import io.bnn4j.uncertainty.plot.EvaluationPlot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The engine behind {@code bnn}: every command of docs/CLI.md over the library (prune excepted,
 * wired separately).
 *
 * <p>Choices made here (docs/CLI.md lists them):
 * <ul>
 *   <li>every architecture takes 32×32 inputs with the data's channel count; 28×28 images are
 *       zero-padded ({@link ImageTransform#PAD}, stored in the model file);</li>
 *   <li>{@code --beta warmup} warms up over half the epochs (at least 1);</li>
 *   <li>the validation split is the trainer's seeded one; validation figures use the posterior
 *       means; the test accuracy at the end is the mean softmax over 10 Monte-Carlo samples;</li>
 *   <li>predict on an image file: the model's transform (PAD) when the image fits the model's
 *       input, else a bilinear resize (a photograph is scaled, not cropped).</li>
 * </ul>
 */
public final class StandardEngine implements EngineBridge {

    /** Monte-Carlo samples of the test accuracy reported at the end of training. */
    static final int TEST_SAMPLES = 10;
    /** Noise stream bases, so that in- and out-of-distribution sets never share draws. */
    static final long TEST_STREAM = 1L << 40, OOD_STREAM = 1L << 41;

    // ------------------------------------------------------------------ train

    @Override
    public TrainSummary train(TrainRequest r, Progress progress, Consumer<EpochReport> onEpoch) {
        Dataset loadedData = Datasets.load(r.data(), Split.TRAIN);
        Dataset data = r.limit() != null ? loadedData.limit(r.limit()) : loadedData;
        progress.note(String.format(Locale.ROOT, "loaded %,d training images from %s", data.size(), r.data()));
        if (data.numClasses() < 2) throw new BnnInputException(r.data() + ": the training set has fewer than 2 classes");
        ModelSpec spec = new ModelSpec(r.arch().label(), data.channels(), 32, 32, data.numClasses(), estimator(r.layer()),
                activation(r.activation()), Prior.gaussian(r.priorSigma()), null, r.dropout());
        TrainConfig config = TrainConfig.defaults().withEpochs(r.epochs()).withBatchSize(r.batchSize()).withLr(r.lr())
                .withLrSchedule(lrSchedule(r.lrSchedule(), r.lr()))
                .withTrainSamples(r.trainSamples()).withBeta(beta(r.beta(), r.epochs())).withKl(kl(r.kl()))
                .withValidFraction(r.validFraction()).withSeed(r.seed()).withThreads(r.threads()).withInit(r.init());
        String digest = data.digest();
        Model model;
        Optional<TrainerState> resumeState = Optional.empty();
        if (r.resume() != null) {
            Loaded loaded = ModelStore.load(r.resume());
            try {
                resumeState = loaded.trainerState();
                if (resumeState.isEmpty()) {
                    throw new BnnInputException("--resume " + r.resume() + ": is a model file without training state, not a checkpoint"
                            + " (write one with --checkpoint)");
                }
                if (!loaded.model().spec().equals(spec)) {
                    throw new BnnInputException("--resume " + r.resume() + ": the checkpoint's model differs from these flags and data ("
                            + describe(loaded.model().spec()) + " vs " + describe(spec) + ")");
                }
                if (loaded.info().dataDigest() != null && !loaded.info().dataDigest().equals(digest)) {
                    throw new BnnInputException("--resume " + r.resume() + ": the checkpoint was trained on other data"
                            + " (check --data and --limit)");
                }
                if (loaded.info().seed() != r.seed()) {
                    progress.note("note: the checkpoint was trained with --seed " + loaded.info().seed() + ", continuing with " + r.seed());
                }
            } catch (RuntimeException e) {
                loaded.close();
                throw e;
            }
            model = loaded.model();
        } else {
            model = Model.create(spec, r.seed());
        }
        try (model; Trainer trainer = new Trainer(model, config, DatasetSource.padded(data, spec.inputShape()))) {
            resumeState.ifPresent(trainer::restore);
            int start = trainer.state().epoch();
            if (start >= r.epochs()) {
                progress.note("the checkpoint has " + start + " epochs already; nothing left to train up to --epochs " + r.epochs());
            } else {
                progress.note(String.format(Locale.ROOT, "training %s (%s, %s, %,d means) on %,d images (%,d held out), batch %d, %d threads",
                        spec.arch(), r.layer(), r.activation(), model.meanCount(), trainer.trainCount(), trainer.validCount(),
                        trainer.batchSize(), r.threads()));
            }
            Path[] lastGood = {null};   // the checkpoint written after the last finished epoch of this run
            try {
                trainer.fit(s -> onEpoch.accept(report(s, s.pretraining() && r.init() instanceof io.bnn4j.train.Init.Moped m ? m.epochs() : r.epochs())), r.checkpoint() == null ? null : (m, state, stats) -> {
                    ModelStore.save(m, info(data, spec, r, state.epoch(), digest), state, r.checkpoint());
                    lastGood[0] = r.checkpoint();
                });
            } catch (TrainingDivergedException e) {
                Path keep = lastGood[0] != null ? lastGood[0] : r.resume();
                throw new TrainingDivergedException("training diverged: " + e.getMessage() + "; no model written"
                        + (keep != null ? ", the last good checkpoint is " + keep : ""));
            }
            Double temperature = null;
            if (r.calibrate() && trainer.validCount() > 0) {
                var cal = trainer.calibrate(TEST_SAMPLES);
                temperature = cal.temperature();
                progress.note(String.format(Locale.ROOT, "calibrated on %,d validation images: temperature %.3f, valid NLL %.4f -> %.4f",
                        cal.n(), cal.temperature(), cal.nllBefore(), cal.nllAfter()));
            }
            save(model, info(data, spec, r, trainer.state().epoch(), digest), null, r.out());
            Double testAccuracy = null;
            if (Datasets.hasSplit(r.data(), Split.TEST)) {
                Dataset test = Datasets.load(r.data(), Split.TEST);
                progress.note("testing on " + test.size() + " images (" + TEST_SAMPLES + " samples each)");
                try (Parallel par = new Parallel(r.threads()); ModelEvaluator ev = new ModelEvaluator(model, TEST_SAMPLES, par)) {
                    var result = ev.evaluate(test, ImageTransform.PAD, TEST_SAMPLES, Normalization.SOFTMAX, r.seed(), TEST_STREAM);
                    if (result.evaluation() != null) testAccuracy = result.evaluation().accuracy();
                }
            }
            return new TrainSummary(r.out(), testAccuracy, temperature);
        }
    }

    private static void save(Model model, ModelInfo info, TrainerState state, Path file) {
        try {
            ModelStore.save(model, info, state, file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }

    private static ModelInfo info(Dataset data, ModelSpec spec, TrainRequest r, int epochs, String digest) {
        return new ModelInfo(data.classNames(), ImageTransform.PAD, r.seed(), epochs, digest, kl(r.kl()));
    }

    private static String describe(ModelSpec s) {
        return s.arch() + " " + s.estimator().name().toLowerCase(Locale.ROOT) + " " + s.activation().name().toLowerCase(Locale.ROOT)
                + ", " + s.inChannels() + " channels, " + s.numClasses() + " classes, prior " + s.prior();
    }

    private static EpochReport report(EpochStats s, int epochs) {
        return new EpochReport(s.epoch(), epochs, s.loss(), s.nll(), s.kl(), s.beta(), s.trainAccuracy(), s.validAccuracy(),
                s.validNll(), s.seconds(), s.imagesPerSecond(), s.pretraining());
    }

    /** The engine's estimator of a {@code --layer} choice. */
    public static Estimator estimator(Choices.Layer l) {
        return switch (l) {
            case LRT -> Estimator.LRT;
            case BBB -> Estimator.BBB;
            case NONE -> Estimator.NONE;
            case FLIPOUT -> Estimator.FLIPOUT;
            case DROPOUT -> Estimator.DROPOUT;
        };
    }

    static Activation activation(Choices.Activation a) {
        return switch (a) {
            case SOFTPLUS -> Activation.SOFTPLUS;
            case RELU -> Activation.RELU;
        };
    }

    /** Plateau: halve after 2 epochs without a better validation NLL, not below lr/100; cosine: down to 0. */
    static LrSchedule lrSchedule(Choices.LrScheduleChoice s, double lr) {
        return switch (s) {
            case CONSTANT -> new LrSchedule.Constant();
            case PLATEAU -> new Plateau(0.5, 1, lr / 100);
            case COSINE -> new LrSchedule.Cosine(0.0);
        };
    }

    static KlKind kl(Choices.Kl k) {
        return k == Choices.Kl.REVERSE ? KlKind.REVERSE : KlKind.STANDARD;
    }

    static BetaSchedule beta(Choices.Beta b, int epochs) {
        return switch (b) {
            case Choices.Beta.Standard s -> new BetaSchedule.Standard();
            case Choices.Beta.Blundell s -> new BetaSchedule.Blundell();
            case Choices.Beta.Warmup w -> new BetaSchedule.Warmup(w.epochs() == 0 ? Math.max(1, epochs / 2) : w.epochs());
            case Choices.Beta.Constant c -> new BetaSchedule.Constant(c.weight());
        };
    }

    static Normalization normalization(Choices.Normalization n) {
        return n == Choices.Normalization.SOFTPLUS ? Normalization.SOFTPLUS : Normalization.SOFTMAX;
    }


    // ------------------------------------------------------------------ predict

    @Override
    public void predict(PredictRequest r, Progress progress, Consumer<Prediction> out) {
        try (Loaded loaded = ModelStore.load(r.model()); Parallel par = new Parallel(r.threads());
             Predictor predictor = Predictor.builder(loaded.model()).samples(r.mean() ? 0 : r.samples())
                     .normalization(normalization(r.normalization())).seed(r.seed()).classNames(loaded.info().classNames())
                     .inputTransform(loaded.info().inputTransform()).build();
             Predictor.Context ctx = predictor.newContext(par)) {
            ImageShape in = loaded.model().inputShape();
            ImageTransform transform = loaded.info().inputTransform();
            for (Path input : r.inputs()) {
                if (IdxFiles.isImagesFile(input)) {
                    Dataset images = IdxFiles.readImages(input);
                    int n = r.limit() == null ? images.size() : Math.min(r.limit(), images.size());
                    int chunk = predictor.maxBatch();
                    float[] buf = new float[chunk * in.size()];
                    MemorySegment seg = MemorySegment.ofArray(buf);
                    int[] indices = new int[n];
                    for (int i = 0; i < n; i++) indices[i] = i;
                    progress.start(input.getFileName().toString(), n);
                    for (int from = 0; from < n; from += chunk) {
                        int m = Math.min(chunk, n - from);
                        images.writeBatch(indices, from, m, seg, 0, in.c(), in.h(), in.w(), transform);
                        int base = from;
                        ctx.predictBatch(buf, 0, m, (i, p) -> out.accept(prediction(input, base + i, p, predictor, r.mean())));
                        progress.advance(m);
                    }
                    progress.done();
                } else {
                    if (isIdxLabels(input)) {
                        throw new BnnInputException(input + ": is an IDX labels file; predict takes IDX images files or image files (PNG, JPEG)");
                    }
                    out.accept(prediction(input, null, ctx.predict(predictor.readImage(input)), predictor, r.mean()));
                }
            }
        }
    }

    private static boolean isIdxLabels(Path file) {
        try {
            IdxFiles.count(file, false);
            return true;
        } catch (BnnInputException e) {
            return false;
        }
    }

    private static Prediction prediction(Path input, Integer index, McPrediction p, Predictor predictor, boolean mean) {
        return new Prediction(input.toString(), index, p.predicted(), predictor.className(p.predicted()), p.confidence(),
                p.probabilities(), p.entropy(), mean ? null : p.expectedEntropy(), mean ? null : p.mutualInformation(),
                mean ? null : p.aleatoric(), mean ? null : p.epistemic(), mean ? null : p.aleatoricPerClass(),
                mean ? null : p.epistemicPerClass(), mean ? 0 : p.samples());
    }

    // ------------------------------------------------------------------ evaluate

    @Override
    public EvaluationReport evaluate(EvaluateRequest r, Progress progress) {
        try (Loaded loaded = ModelStore.load(r.model()); Parallel par = new Parallel(r.threads());
             ModelEvaluator ev = new ModelEvaluator(loaded.model(), r.samples(), par)) {
            ImageTransform transform = loaded.info().inputTransform();
            Dataset data = testOrTrain(r.data());
            if (!data.hasLabels()) throw new BnnInputException(r.data() + ": evaluation needs labels");
            if (data.numClasses() > loaded.model().numClasses()) {
                throw new BnnInputException(r.data() + ": has " + data.numClasses() + " classes, the model predicts "
                        + loaded.model().numClasses());
            }
            progress.note(String.format(Locale.ROOT, "evaluating on %,d images of %s (%d samples each)", data.size(), r.data(), r.samples()));
            ModelEvaluator.Result in = ev.evaluate(data, transform, r.samples(), Normalization.SOFTMAX, r.seed(), TEST_STREAM);
            var e = in.evaluation();
            OodReport ood = null;
            ModelEvaluator.Result oodResult = null;
            if (r.ood() != null) {
                Dataset oodData = oodSet(r.ood(), data, r.seed());
                progress.note(String.format(Locale.ROOT, "out-of-distribution: %,d images of %s", oodData.size(), r.ood()));
                oodResult = ev.evaluate(oodData, transform, r.samples(), Normalization.SOFTMAX, r.seed(), OOD_STREAM);
                OodResult o = OodMetrics.evaluate(in.scores(), oodResult.scores());
                ood = new OodReport(o.oodN(), o.aurocEntropy(), o.aurocMutualInformation(), o.aurocConfidence(), o.auprEntropy());
            }
            if (r.plot() != null) {
                try {
                    EvaluationPlot.write(r.plot(), e, oodResult == null ? null : in.scores(), oodResult == null ? null : oodResult.scores());
                } catch (IOException x) {
                    throw new UncheckedIOException(r.plot() + ": cannot be written (" + x.getMessage() + ")", x);
                }
            }
            return new EvaluationReport(e.n(), r.samples(), e.accuracy(), e.nll(), e.brier(), e.ece(), ood, r.plot());
        }
    }

    /** The directory's test split when it has one, else its training split. */
    /** The OOD set: a synthetic one made from {@code base} (noise, inverted, flipped), else the directory's test or training split. */
    static Dataset oodSet(Path ood, Dataset base, long seed) {
        if (SyntheticOod.names(ood)) return SyntheticOod.of(ood.toString(), base, seed);
        return testOrTrain(ood);
    }

    static Dataset testOrTrain(Path dir) {
        return Datasets.loadIfPresent(dir, Split.TEST).orElseGet(() -> Datasets.load(dir, Split.TRAIN));
    }

    // ------------------------------------------------------------------ prune

    /** Evaluation noise of prune's before/after figures. */
    static final long PRUNE_STREAM = 3L << 40;

    @Override
    public PruneReport prune(PruneRequest r, Progress progress) {
        try (Loaded loaded = ModelStore.load(r.model())) {
            Model model = loaded.model();
            ModelInfo info = loaded.info();
            ImageTransform transform = info.inputTransform();
            Dataset test = testOrTrain(r.data());
            if (!test.hasLabels()) throw new BnnInputException(r.data() + ": pruning needs labelled data for its report");
            if (test.numClasses() > model.numClasses()) {
                throw new BnnInputException(r.data() + ": has " + test.numClasses() + " classes, the model predicts " + model.numClasses());
            }
            Dataset train = r.fineTuneEpochs() > 0 ? Datasets.load(r.data(), Split.TRAIN) : null;
            Dataset ood = r.ood() == null ? null : oodSet(r.ood(), testOrTrain(r.data()), r.seed());
            io.bnn4j.prune.PruneMethod method = switch (r.method()) {
                case SNR -> io.bnn4j.prune.PruneMethod.SNR;
                case MAGNITUDE -> io.bnn4j.prune.PruneMethod.MAGNITUDE;
                case L1_FILTER -> io.bnn4j.prune.PruneMethod.L1_FILTER;
            };
            io.bnn4j.prune.PruneScope scope = r.scope() == Choices.PruneScope.LAYER ? io.bnn4j.prune.PruneScope.PER_LAYER
                    : io.bnn4j.prune.PruneScope.GLOBAL;
            if (method == io.bnn4j.prune.PruneMethod.SNR && !model.bayesian()) {
                throw new BnnInputException(r.model() + ": snr pruning needs a Bayesian model (this one is --layer none); use magnitude");
            }
            io.bnn4j.prune.Pruner.Request req = io.bnn4j.prune.Pruner.Request.of(method, r.sparsity(), test)
                    .withScope(scope).withTransform(transform).withSeed(r.seed()).withThreads(r.threads()).withOod(ood);
            if (train != null) {
                // Fine-tuning continues the model's ELBO: its KL direction, the flags' lr and β.
                KlKind kl = info.kl() == KlKind.REVERSE ? KlKind.REVERSE : KlKind.STANDARD;
                TrainConfig ft = TrainConfig.plain().withSeed(r.seed()).withThreads(r.threads()).withLr(r.lr())
                        .withBeta(beta(r.beta(), r.fineTuneEpochs())).withKl(kl);
                req = req.withFineTune(train, r.fineTuneEpochs(), ft);
            }
            Path sizing = r.out().resolveSibling(r.out().getFileName() + ".size.tmp");
            try (io.bnn4j.prune.Pruner.Outcome o = io.bnn4j.prune.Pruner.run(model, req, m -> {
                try {
                    return ModelStore.save(m, info, null, sizing);
                } finally {
                    java.nio.file.Files.deleteIfExists(sizing);
                }
            }, progress::note)) {
                ModelStore.save(o.pruned(), info, null, r.out());
                io.bnn4j.prune.PruneReport p = o.report();
                return new PruneReport(r.method().label(), r.sparsity(), p.parametersBefore(), p.parametersAfter(),
                        p.accuracyBefore(), p.accuracyAfter(), p.eceBefore(), p.eceAfter(), p.latencyMsBefore(), p.latencyMsAfter(),
                        p.before().nll(), p.after().nll(), ood == null ? null : p.before().aurocEntropy(),
                        ood == null ? null : p.after().aurocEntropy(), r.out());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(r.out() + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }

    // ------------------------------------------------------------------ bench

    /**
     * Latency: warm up for at least this many calls and at least this long (vector code is 10-100x
     * slower before C2 compiles it), but never more than {@link #WARMUP_NANOS_LIMIT}...
     */
    static final int WARMUP_CALLS = 1000;
    static final long WARMUP_NANOS = 2_000_000_000L;
    static final long WARMUP_NANOS_LIMIT = 30_000_000_000L;
    /** ...then time this many calls (or as many as fit in the time limit, at least 100). */
    static final int TIMED_CALLS = 2000;
    static final long TIMED_NANOS_LIMIT = 10_000_000_000L;

    @Override
    public BenchReport bench(BenchRequest r, Progress progress) {
        Model model;
        String arch, layer;
        if (r.model() != null) {
            model = ModelStore.load(r.model()).model();
            arch = model.spec().arch();
            layer = model.estimator().name().toLowerCase(Locale.ROOT);
        } else {
            model = Model.create(ModelSpec.of(r.arch().label(), 1, 10).withEstimator(estimator(r.layer())), r.seed());
            arch = r.arch().label();
            layer = r.layer().label();
        }
        try (model; Parallel par = new Parallel(r.threads())) {
            int inSize = model.inputShape().size();
            Random rnd = new Random(r.seed());
            float[] images = new float[r.batchSize() * inSize];
            for (int i = 0; i < images.length; i++) images[i] = rnd.nextFloat();

            // 1. training throughput: full steps on synthetic data after warm-up steps. Measured first, in a
            //    fresh JVM profile: measured after the prediction loops it came out 2-3x slower (the JIT's
            //    profiles from batch-1 prediction), which is not what a training process sees.
            progress.note("training throughput (batch " + r.batchSize() + ")");
            double trainRate = TrainBench.trainImagesPerSecond(model.spec(), r.batchSize(), 1, r.threads(), 20, 10, 5);

            // 2. single-image latency with T samples, one context, one thread (one image cannot be split)
            double[] ms;
            try (Predictor p = Predictor.builder(model).samples(r.samples()).seed(r.seed()).maxBatch(1).build();
                 Predictor.Context ctx = p.newContext()) {
                float[] one = Arrays.copyOf(images, inSize);
                progress.start(String.format(Locale.ROOT, "warm-up: 1 image x %d samples", r.samples()), WARMUP_CALLS);
                long t0 = System.nanoTime();
                double sink = 0;
                for (int i = 0; (i < WARMUP_CALLS || System.nanoTime() - t0 < WARMUP_NANOS)
                        && System.nanoTime() - t0 < WARMUP_NANOS_LIMIT; i++) {
                    sink += ctx.predict(one).entropy();
                    progress.advance(1);
                }
                progress.done();
                double[] times = new double[TIMED_CALLS];
                int timed = 0;
                progress.start(String.format(Locale.ROOT, "latency: 1 image x %d samples", r.samples()), TIMED_CALLS);
                long limit = System.nanoTime() + TIMED_NANOS_LIMIT;
                for (int i = 0; i < TIMED_CALLS && (i < 100 || System.nanoTime() < limit); i++) {
                    long a = System.nanoTime();
                    sink += ctx.predict(one).entropy();
                    times[timed++] = (System.nanoTime() - a) / 1e6;
                    progress.advance(1);
                }
                progress.done();
                if (Double.isNaN(sink)) throw new IllegalStateException("the model predicts NaN");
                ms = Arrays.copyOf(times, timed);
                Arrays.sort(ms);
            }
            double median = quantile(ms, 0.5), p99 = quantile(ms, 0.99);

            // 3. batch throughput: 1 sample, batch --batch-size, over --threads
            double predictRate;
            try (Predictor p = Predictor.builder(model).samples(1).seed(r.seed()).maxBatch(r.batchSize()).build();
                 Predictor.Context ctx = p.newContext(par)) {
                McPrediction[] out = new McPrediction[r.batchSize()];
                for (int i = 0; i < out.length; i++) out[i] = new McPrediction(model.numClasses());
                predictRate = rate(progress, "batch prediction", r.batchSize(), () -> ctx.predictBatch(images, 0, r.batchSize(), out));
            }

            return new BenchReport(median, p99, predictRate, trainRate, r.threads(), r.samples(), r.batchSize(), arch, layer);
        }
    }

    /** Images/s of {@code call} (one batch of {@code batch} images), after about 1 s of warm-up, over about 2 s. */
    private static double rate(Progress progress, String label, int batch, Runnable call) {
        progress.note(label + ": warm-up");
        long t0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - t0 < 1_000_000_000L; i++) call.run();
        progress.note(label + ": measuring");
        int calls = 0;
        long start = System.nanoTime(), now;
        do {
            call.run();
            calls++;
            now = System.nanoTime();
        } while (calls < 3 || now - start < 2_000_000_000L);
        return (double) calls * batch / ((now - start) * 1e-9);
    }

    /** The q-quantile of sorted values (nearest rank). */
    static double quantile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
