package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.bayes.Prior;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.io.ModelStore.ModelInfo;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.Init;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.Trainer;
import io.bnn4j.train.TrainerState;
import io.bnn4j.train.TrainingDivergedException;
import io.bnn4j.uncertainty.ModelEvaluator;
import io.bnn4j.uncertainty.Normalization;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Trains a model on a dataset directory and writes it: optionally a checkpoint after every epoch
 * and a resumed run from one; temperature scaling on the validation split; the test accuracy at
 * the end when the data has a test split.
 *
 * <p>Every architecture takes 32×32 inputs with the data's channel count; 28×28 images are
 * zero-padded ({@link ImageTransform#PAD}, stored in the model file). A resumed run must match the
 * checkpoint's model and data; a diverged run writes no model and names the last good checkpoint.
 *
 * @param data       a dataset directory (docs/DATA.md)
 * @param arch       "lenet5", "3conv3fc", "alexnet", or "mlp[:H1,H2,...]" over the flattened image
 * @param priorSigma σ_p of the Gaussian prior N(0, σ_p²)
 * @param dropout    the rate of {@link Estimator#DROPOUT}
 * @param limit      the first N training examples, or null for all
 * @param calibrate  fit a temperature on the validation split and fold it into the last layer
 * @param checkpoint where to write a checkpoint after each epoch, or null
 * @param resume     a checkpoint to continue, or null
 */
public record TrainJob(Path data, String arch, Estimator estimator, Activation activation, double priorSigma, double dropout,
                       TrainConfig config, Integer limit, boolean calibrate, Path out, Path checkpoint, Path resume) {

    public static final double DEFAULT_PRIOR_SIGMA = 0.1, DEFAULT_DROPOUT = 0.1;
    public static final Estimator DEFAULT_ESTIMATOR = Estimator.LRT;
    public static final Activation DEFAULT_ACTIVATION = Activation.RELU;

    public TrainJob {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(estimator, "estimator");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(out, "out");
        ModelSpec.defaultWidths(ModelSpec.nameOf(arch));   // an unknown architecture fails here, not after loading the data
        ModelSpec.widthsOf(arch);
    }

    /** The recommended recipe ({@link TrainConfig#defaults()}, LeNet-5, LRT, ReLU, calibrated) on {@code data}, written to {@code out}. */
    public static TrainJob of(Path data, Path out) {
        return new TrainJob(data, ModelSpec.LENET5, DEFAULT_ESTIMATOR, DEFAULT_ACTIVATION, DEFAULT_PRIOR_SIGMA, DEFAULT_DROPOUT,
                TrainConfig.defaults(), null, true, out, null, null);
    }

    public TrainJob withArch(String a) { return new TrainJob(data, a, estimator, activation, priorSigma, dropout, config, limit, calibrate, out, checkpoint, resume); }

    public TrainJob withEstimator(Estimator e) { return new TrainJob(data, arch, e, activation, priorSigma, dropout, config, limit, calibrate, out, checkpoint, resume); }

    public TrainJob withConfig(TrainConfig c) { return new TrainJob(data, arch, estimator, activation, priorSigma, dropout, c, limit, calibrate, out, checkpoint, resume); }

    public TrainJob withCheckpoint(Path c, Path r) { return new TrainJob(data, arch, estimator, activation, priorSigma, dropout, config, limit, calibrate, out, c, r); }

    /** @param testAccuracy on the test split (mean softmax over 10 samples) when the data has one, else null */
    public record Result(Path model, Double testAccuracy, Double temperature) {}

    /** The epochs an epoch's number counts up to: the pre-training's for MOPED's twin, else the run's. */
    public int epochsOf(EpochStats s) {
        return s.pretraining() && config.init() instanceof Init.Moped m ? m.epochs() : config.epochs();
    }

    /** Runs the job, calling {@code onEpoch} after every epoch (pre-training epochs included). */
    public Result run(Progress progress, Consumer<EpochStats> onEpoch) {
        Dataset loadedData = Datasets.load(data, Split.TRAIN);
        Dataset train = limit != null ? loadedData.limit(limit) : loadedData;
        progress.note(String.format(Locale.ROOT, "loaded %,d training images from %s", train.size(), data));
        if (train.numClasses() < 2) throw new BnnInputException(data + ": the training set has fewer than 2 classes");
        ModelSpec spec = new ModelSpec(ModelSpec.nameOf(arch), train.channels(), 32, 32, train.numClasses(), estimator, activation,
                Prior.gaussian(priorSigma), ModelSpec.widthsOf(arch), dropout);
        String digest = train.digest();
        Optional<TrainerState> resumeState = Optional.empty();
        Model model;
        if (resume != null) {
            Loaded loaded = ModelStore.load(resume);
            try {
                resumeState = Optional.of(checkResumable(loaded, spec, digest, progress));
            } catch (RuntimeException e) {
                loaded.close();
                throw e;
            }
            model = loaded.model();
        } else {
            model = Model.create(spec, config.seed());
        }
        try (model; Trainer trainer = new Trainer(model, config, DatasetSource.padded(train, spec.inputShape()))) {
            resumeState.ifPresent(trainer::restore);
            int start = trainer.state().epoch();
            if (start >= config.epochs()) {
                progress.note("the checkpoint has " + start + " epochs already; nothing left to train up to --epochs " + config.epochs());
            } else {
                progress.note(String.format(Locale.ROOT, "training %s (%s, %s, %,d means) on %,d images (%,d held out), batch %d, %d threads",
                        spec.arch(), estimator.label(), activation.label(), model.meanCount(), trainer.trainCount(), trainer.validCount(),
                        trainer.batchSize(), config.threads()));
            }
            Path[] lastGood = {null};   // the checkpoint written after the last finished epoch of this run
            try {
                trainer.fit(onEpoch::accept, checkpoint == null ? null : (m, state, stats) -> {
                    ModelStore.save(m, info(train, state.epoch(), digest), state, checkpoint);
                    lastGood[0] = checkpoint;
                });
            } catch (TrainingDivergedException e) {
                Path keep = lastGood[0] != null ? lastGood[0] : resume;
                throw new TrainingDivergedException("training diverged: " + e.getMessage() + "; no model written"
                        + (keep != null ? ", the last good checkpoint is " + keep : ""));
            }
            Double temperature = null;
            if (calibrate && trainer.validCount() > 0) {
                var cal = trainer.calibrate(Jobs.TEST_SAMPLES);
                temperature = cal.temperature();
                progress.note(String.format(Locale.ROOT, "calibrated on %,d validation images: temperature %.3f, valid NLL %.4f -> %.4f",
                        cal.n(), cal.temperature(), cal.nllBefore(), cal.nllAfter()));
            }
            Jobs.save(model, info(train, trainer.state().epoch(), digest), null, out);
            Double testAccuracy = null;
            if (Datasets.hasSplit(data, Split.TEST)) {
                Dataset test = Datasets.load(data, Split.TEST);
                progress.note("testing on " + test.size() + " images (" + Jobs.TEST_SAMPLES + " samples each)");
                try (Parallel par = new Parallel(config.threads()); ModelEvaluator ev = new ModelEvaluator(model, Jobs.TEST_SAMPLES, par)) {
                    var result = ev.evaluate(test, ImageTransform.PAD, Jobs.TEST_SAMPLES, Normalization.SOFTMAX, config.seed(), Jobs.TEST_STREAM);
                    if (result.evaluation() != null) testAccuracy = result.evaluation().accuracy();
                }
            }
            return new Result(out, testAccuracy, temperature);
        }
    }

    /** The checkpoint's training state, after checking that it continues this job. */
    private TrainerState checkResumable(Loaded loaded, ModelSpec spec, String digest, Progress progress) {
        Optional<TrainerState> state = loaded.trainerState();
        if (state.isEmpty()) {
            throw new BnnInputException("--resume " + resume + ": is a model file without training state, not a checkpoint"
                    + " (write one with --checkpoint)");
        }
        if (!loaded.model().spec().equals(spec)) {
            throw new BnnInputException("--resume " + resume + ": the checkpoint's model differs from these flags and data ("
                    + describe(loaded.model().spec()) + " vs " + describe(spec) + ")");
        }
        if (loaded.info().dataDigest() != null && !loaded.info().dataDigest().equals(digest)) {
            throw new BnnInputException("--resume " + resume + ": the checkpoint was trained on other data (check --data and --limit)");
        }
        if (loaded.info().seed() != config.seed()) {
            progress.note("note: the checkpoint was trained with --seed " + loaded.info().seed() + ", continuing with " + config.seed());
        }
        return state.get();
    }

    private ModelInfo info(Dataset train, int epochs, String digest) {
        return new ModelInfo(train.classNames(), ImageTransform.PAD, config.seed(), epochs, digest, config.kl());
    }

    private static String describe(ModelSpec s) {
        return s.arch() + " " + s.estimator().label() + " " + s.activation().label() + ", " + s.inChannels() + " channels, "
                + s.numClasses() + " classes, prior " + s.prior();
    }
}
