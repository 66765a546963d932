package io.bnn4j.cli;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.data.IdxFiles;
import io.bnn4j.job.RegressionTrainJob;
import io.bnn4j.job.TrainJob;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.RegressionTrainer;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.Init;
import io.bnn4j.train.LrSchedule;
import io.bnn4j.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bnn train}: learns a Bayesian CNN and writes it to a model file. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Train a Bayesian CNN with Bayes by Backprop and write the model file.",
                "Reports NLL, KL, the KL weight and accuracy every epoch; with a test split in the data, the test accuracy at the end."})
public final class TrainCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--task", paramLabel = "T", defaultValue = "classification", converter = Choices.TaskConverter.class,
            completionCandidates = Choices.TaskConverter.class,
            description = "classification (images: a dataset directory) or regression (--target COLUMN of a CSV table, --data FILE.csv, "
                    + "with a Bayesian MLP; or of the CSV beside an IDX images file, --data IMAGES, with a CNN; a Gaussian output) "
                    + "(default: ${DEFAULT-VALUE}).")
    Choices.Task task;

    @Option(names = "--target", paramLabel = "COLUMN", description = "Regression: the CSV column to predict from all the others.")
    String target;

    @Option(names = "--arch", paramLabel = "A", defaultValue = "lenet5", converter = Choices.ArchConverter.class,
            completionCandidates = Choices.ArchConverter.class,
            description = "Architecture: ${COMPLETION-CANDIDATES}, or mlp[:H1,H2,...] (default: ${DEFAULT-VALUE}; regression: "
                    + RegressionTrainJob.DEFAULT_ARCH + ").")
    String arch;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "lrt", converter = Choices.EstimatorConverter.class,
            completionCandidates = Choices.EstimatorConverter.class,
            description = "Layer estimator: lrt (local reparameterization), bbb (weight sampling), flipout (Flipout), "
                    + "dropout (frequentist with MC dropout, see --dropout), none (frequentist) (default: ${DEFAULT-VALUE}).")
    Estimator layer;

    @Option(names = "--activation", paramLabel = "F", defaultValue = Defaults.ACTIVATION, converter = Choices.ActivationConverter.class,
            completionCandidates = Choices.ActivationConverter.class,
            description = "Activation: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Activation activation;

    @Mixin
    Options.Data data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + Defaults.EPOCHS,
            description = "Epochs (default: ${DEFAULT-VALUE}; regression: enough for about " + RegressionTrainJob.DEFAULT_STEPS + " steps).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "auto", converter = Choices.BatchSizeConverter.class,
            description = "Minibatch size, or auto: 256, smaller when the training split is under 16,384 images so that an epoch has "
                    + "at least 64 steps (ceil(N/64), at least 16) (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "" + Defaults.LR,
            description = "Adam learning rate (default: ${DEFAULT-VALUE}; regression: " + RegressionTrainJob.DEFAULT_LR + ").")
    double lr;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = Defaults.LR_SCHEDULE, converter = Choices.LrScheduleConverter.class,
            completionCandidates = Choices.LrScheduleConverter.class,
            description = "Learning-rate schedule: constant, plateau (halved when the validation NLL stalls for 2 epochs, down to lr/100), "
                    + "or cosine (annealed to 0 over the run, per step) (default: ${DEFAULT-VALUE}).")
    LrSchedule.Kind lrSchedule;

    @Option(names = "--train-samples", paramLabel = "T", defaultValue = "" + Defaults.TRAIN_SAMPLES,
            description = "Monte-Carlo samples per training example (default: ${DEFAULT-VALUE}).")
    int trainSamples;

    @Option(names = "--beta", paramLabel = "W", defaultValue = Defaults.BETA, converter = Choices.BetaConverter.class,
            description = "KL weight per minibatch: standard, blundell, warmup (over half the epochs), warmup:EPOCHS, or a number >= 0 (default: ${DEFAULT-VALUE}).")
    String beta;

    @Option(names = "--kl", paramLabel = "K", defaultValue = "standard", converter = Choices.KlConverter.class,
            completionCandidates = Choices.KlConverter.class,
            description = "KL direction: standard KL(q||p), or reverse KL(p||q) as the reference code (default: ${DEFAULT-VALUE}).")
    KlKind kl;

    @Option(names = "--prior-sigma", paramLabel = "X", defaultValue = "" + Defaults.PRIOR_SIGMA,
            description = "Standard deviation of the Gaussian prior N(0, X^2) (default: ${DEFAULT-VALUE}).")
    double priorSigma;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "" + Defaults.DROPOUT,
            description = "Dropout rate of --layer dropout, on the input of every layer but the first, kept in sampled prediction (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--init", paramLabel = "I", defaultValue = "moped", converter = Choices.InitConverter.class,
            description = "Posterior initialisation: random (mu ~ N(0, 0.1^2), sigma ~ 0.0067), or moped[:DELTA]: train the frequentist twin "
                    + "for --pretrain-epochs first, then mu = w and sigma = DELTA*|w| (default: ${DEFAULT-VALUE}, DELTA " + Defaults.MOPED_DELTA + ").")
    String init;

    @Option(names = "--prior-mean", paramLabel = "M", defaultValue = Defaults.PRIOR_MEAN, converter = Choices.PriorMeanConverter.class,
            completionCandidates = Choices.PriorMeanConverter.class,
            description = "Mean of each weight's Gaussian prior: zero, or moped (empirical Bayes: the frequentist twin's value of that weight; "
                    + "needs --init moped) (default: ${DEFAULT-VALUE}).")
    Choices.PriorMean priorMean;

    @Option(names = "--pretrain-epochs", paramLabel = "N", defaultValue = "" + Defaults.PRETRAIN_EPOCHS,
            description = "Epochs of the frequentist twin before the Bayesian ones with --init moped (default: ${DEFAULT-VALUE}).")
    int pretrainEpochs;

    @Option(names = "--calibrate", paramLabel = "C", defaultValue = "temperature", converter = Choices.CalibrationConverter.class,
            completionCandidates = Choices.CalibrationConverter.class,
            description = "After training: temperature (fit one temperature of the logits on the validation split and fold it into the last layer) "
                    + "or none (default: ${DEFAULT-VALUE}).")
    Choices.Calibration calibrate;

    @Option(names = "--valid-fraction", paramLabel = "F", defaultValue = "" + Defaults.VALID_FRACTION,
            description = "Fraction of the training set held out for validation, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double validFraction;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer limit;

    @Mixin
    Options.Seed seed;

    @Mixin
    Options.Threads threads;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = Defaults.OUT, description = "Model file to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    Options.JsonOutput json;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint (model and optimizer state) here after every epoch.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Resume training from this checkpoint.")
    Path resume;

    /** Regression: checks the flags that apply; returns the job they describe. */
    RegressionTrainJob validateRegression() {
        Checks.notFor(spec, "--task regression", "--lr-schedule", "--kl", "--dropout", "--init", "--prior-mean", "--pretrain-epochs",
                "--calibrate", "--valid-fraction", "--limit", "--checkpoint", "--resume");
        if (target == null) throw Checks.usage(spec, "--task regression needs --target COLUMN");
        boolean epochsGiven = Checks.given(spec, "--epochs");
        if (epochsGiven) Checks.atLeast(spec, "--epochs", epochs, 1);
        Checks.positive(spec, "--lr", lr);
        Checks.atLeast(spec, "--train-samples", trainSamples, 1);
        Checks.positive(spec, "--prior-sigma", priorSigma);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        Checks.outputFile(spec, "--out", out);
        Path file = data.resolveFile(spec);
        boolean images = IdxFiles.isImagesFile(file);
        String a = Checks.given(spec, "--arch") ? arch : images ? ModelSpec.LENET5 : RegressionTrainJob.DEFAULT_ARCH;
        if (!images && !ModelSpec.nameOf(a).equals(ModelSpec.MLP)) {
            throw Checks.usage(spec, "--task regression on a CSV table takes --arch mlp or mlp:H1,H2,... (got " + a + ")");
        }
        if (images && ModelSpec.nameOf(a).equals(ModelSpec.MLP)) throw Checks.usage(spec, "--task regression on images takes an image --arch (got " + a + ")");
        if (layer == Estimator.DROPOUT) throw Checks.usage(spec, "--task regression takes --layer lrt, bbb, flipout or none");
        double b;
        try {
            if (!(BetaSchedule.parse(beta, 1) instanceof BetaSchedule.Constant c)) {
                throw Checks.usage(spec, "--task regression takes a constant --beta (a number >= 0), got " + beta);
            }
            b = c.value();
        } catch (IllegalArgumentException e) {
            throw Checks.usage(spec, "--beta: " + e.getMessage());
        }
        RegressionTrainer.Config config = new RegressionTrainer.Config(epochsGiven ? epochs : 0,
                batchSize == TrainConfig.AUTO_BATCH ? RegressionTrainJob.DEFAULT_BATCH : batchSize,
                Checks.given(spec, "--lr") ? lr : RegressionTrainJob.DEFAULT_LR, trainSamples, b, true, seed.get(), threads.get());
        return new RegressionTrainJob(file, target, a, layer, activation, priorSigma, config, 0, false, out);
    }

    /** Checks every flag; returns the job they describe. */
    TrainJob validate() {
        if (target != null) throw Checks.usage(spec, "--target applies to --task regression");
        Checks.atLeast(spec, "--epochs", epochs, 1);
        Checks.positive(spec, "--lr", lr);
        Checks.atLeast(spec, "--train-samples", trainSamples, 1);
        Checks.positive(spec, "--prior-sigma", priorSigma);
        Checks.fraction(spec, "--valid-fraction", validFraction);
        Checks.atLeast(spec, "--limit", limit, 1);
        Checks.atLeast(spec, "--pretrain-epochs", pretrainEpochs, 1);
        Checks.positive(spec, "--dropout", dropout);
        Checks.fraction(spec, "--dropout", dropout);
        Checks.atLeast(spec, "--threads", threads.threads, 1);
        Checks.outputFile(spec, "--out", out);
        if (checkpoint != null) Checks.outputFile(spec, "--checkpoint", checkpoint);
        Checks.distinct(spec, "--out", out, "--checkpoint", checkpoint);
        if (resume != null) Checks.inputFile(spec, "--resume", resume);
        boolean centred = priorMean == Choices.PriorMean.MOPED;
        Init initialisation = Init.parse(init, Defaults.MOPED_DELTA, pretrainEpochs, centred);
        if (centred && !(initialisation instanceof Init.Moped)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prior-mean moped needs --init moped");
        }
        Path dataDir = data.resolve(spec);
        TrainConfig config = TrainConfig.defaults().withEpochs(epochs).withBatchSize(batchSize).withLr(lr)
                .withLrSchedule(lrSchedule.of(lr)).withTrainSamples(trainSamples).withBeta(BetaSchedule.parse(beta, epochs))
                .withKl(kl).withValidFraction(validFraction).withSeed(seed.get()).withThreads(threads.get()).withInit(initialisation);
        return new TrainJob(dataDir, arch, layer, activation, priorSigma, dropout, config, limit,
                calibrate == Choices.Calibration.TEMPERATURE, out, checkpoint, resume);
    }

    @Override
    public Integer call() {
        if (task == Choices.Task.REGRESSION) {
            RegressionTrainJob job = validateRegression();
            RegressionTrainJob.Result result = job.run(StderrProgress.forStderr(err(), json.get()), epoch -> {
                out().println(json.get() ? json(epoch) : text(epoch));
                out().flush();
            });
            out().println(json.get() ? json(result) : text(result));
            out().flush();
            return 0;
        }
        TrainJob job = validate();
        TrainJob.Result result = job.run(StderrProgress.forStderr(err(), json.get()), epoch -> {
            out().println(json.get() ? json(epoch) : text(epoch, job.epochsOf(epoch)));
            out().flush();
        });
        out().println(json.get() ? json(result) : text(result));
        out().flush();
        return 0;
    }

    static String json(EpochStats e) {
        Json j = Json.object();
        if (e.pretraining()) j.put("phase", "pretrain");
        return j.put("epoch", e.epoch()).put("loss", e.loss()).put("nll", e.nll()).put("kl", e.kl())
                .put("beta", e.beta()).put("train_accuracy", e.trainAccuracy()).put("valid_accuracy", e.validAccuracy())
                .put("valid_nll", e.validNll()).put("seconds", e.seconds()).put("images_per_second", e.imagesPerSecond())
                .toString();
    }

    static String text(EpochStats e, int epochs) {
        return fmt((e.pretraining() ? "pretrain" : "epoch") + " %d/%d  loss %s  nll %s  kl %s  beta %s  train acc %s  valid acc %s  valid nll %s  %.1f s  %,.0f img/s",
                e.epoch(), epochs, num(e.loss()), num(e.nll()), num(e.kl()), num(e.beta()), percent(e.trainAccuracy()),
                percent(e.validAccuracy()), num(e.validNll()), e.seconds(), e.imagesPerSecond());
    }

    static String json(RegressionTrainer.Epoch e) {
        return Json.object().put("epoch", e.epoch()).put("nll", e.nll()).put("kl", e.kl()).put("seconds", e.seconds()).toString();
    }

    static String text(RegressionTrainer.Epoch e) {
        return fmt("epoch %d  nll %s  kl %s  %.2f s", e.epoch(), num(e.nll()), num(e.kl()), e.seconds());
    }

    static String json(RegressionTrainJob.Result r) {
        return Json.object().put("model", r.model().toString()).put("rows", r.rows()).putStrings("features", r.features())
                .put("epochs", r.epochs()).toString();
    }

    static String text(RegressionTrainJob.Result r) {
        return fmt("model written to %s (%s rows, %d features, %d epochs)", r.model(), count(r.rows()), r.features().size(), r.epochs());
    }

    static String json(TrainJob.Result s) {
        Json j = Json.object().put("model", s.model().toString());
        if (s.temperature() != null) j.put("temperature", s.temperature());
        if (s.testAccuracy() != null) j.put("test_accuracy", s.testAccuracy());
        return j.toString();
    }

    static String text(TrainJob.Result s) {
        return "model written to " + s.model() + (s.testAccuracy() != null ? "; test accuracy " + percent(s.testAccuracy()) : "");
    }
}
