package io.bnn4j.train;

import io.bnn4j.nn.Backprop;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Noise;
import io.bnn4j.nn.StepResult;
import io.bnn4j.parallel.Parallel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a model by minibatch variational inference (Bayes by Backprop):
 * loss_i = mean_batch NLL + w_i·KL/N per minibatch i of M, N = training examples after the
 * validation split, w_i from the β schedule; Adam (or SGD) on μ and ρ. See docs/TRAINING.md.
 *
 * <p>Everything random is a pure function of the seed: the validation split (stream SPLIT),
 * each epoch's shuffle (stream (SHUFFLE, epoch)), and the training noise (streams (TRAIN, step,
 * layer, purpose)). With the same seed the parameters are bit-identical for any thread count,
 * and a run resumed from a checkpoint (model tensors + {@link TrainerState}) continues exactly.
 */
public final class Trainer implements AutoCloseable {

    private final Model model;
    private final TrainConfig config;
    private final BatchSource source, validSource;
    private final Parallel par;
    private final Backprop backprop;
    private final Optimizer optimizer;
    private final Evaluator evaluator;
    private final int[] trainIndices, validIndices, order;
    private final boolean ownSplit;
    private final int batchSize;   // the configured or automatic batch size for this split
    private TrainerState state;

    /**
     * Splits {@code source} itself: {@code round(size·validFraction)} examples, chosen by a
     * seeded shuffle (stream (DATA, SPLIT)), are held out for validation.
     */
    public Trainer(Model model, TrainConfig config, BatchSource source) {
        this(model, config, source, null, true);
    }

    /**
     * Trains on all of {@code train} and validates on {@code valid} (null: no validation);
     * {@code config.validFraction()} is not used (the caller split, e.g. with Dataset.split).
     */
    public Trainer(Model model, TrainConfig config, BatchSource train, BatchSource valid) {
        this(model, config, train, valid, false);
    }

    private Trainer(Model model, TrainConfig config, BatchSource source, BatchSource valid, boolean split) {
        this.model = model;
        this.config = config;
        this.source = source;
        this.ownSplit = split;
        checkShape(model, source);
        if (valid != null) checkShape(model, valid);
        if (!source.hasLabels() || (valid != null && !valid.hasLabels())) throw new IllegalArgumentException("training needs labelled examples");
        if (!model.estimator().stochastic() && config.trainSamples() > 1) {
            throw new IllegalArgumentException("training samples > 1 need a stochastic estimator (lrt, bbb, flipout or dropout)");
        }
        int size = source.size();
        if (split) {
            int nValid = (int) Math.round(size * config.validFraction());
            if (size - nValid < 1) throw new IllegalArgumentException("no training examples left after holding out " + nValid + " of " + size);
            int[] all = identity(size);
            Shuffle.shuffle(all, config.seed(), Noise.stream(Noise.DATA, 0, 0, Noise.SPLIT));
            this.validIndices = Arrays.copyOfRange(all, 0, nValid);
            this.trainIndices = Arrays.copyOfRange(all, nValid, size);
            Arrays.sort(validIndices);
            Arrays.sort(trainIndices);
            this.validSource = source;
        } else {
            if (size < 1) throw new IllegalArgumentException("no training examples");
            this.trainIndices = identity(size);
            this.validIndices = valid == null ? new int[0] : identity(valid.size());
            this.validSource = valid;
        }
        this.order = new int[trainIndices.length];
        this.batchSize = config.batchSizeFor(trainIndices.length);
        int batch = Math.min(batchSize, trainIndices.length);
        Parallel pool = new Parallel(config.threads());
        try {
            this.backprop = new Backprop(model, batch, config.trainSamples(), config.kl(), pool, config.gradientChunks());
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.par = pool;
        this.optimizer = new Optimizer(config.optimizer(), model, par);
        this.evaluator = validIndices.length > 0 ? new Evaluator(model, batch, Math.max(1, config.validSamples()), par) : null;
        this.state = TrainerState.initial(config.lr());
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static void checkShape(Model model, BatchSource s) {
        var in = model.inputShape();
        if (s.channels() != in.c() || s.height() != in.h() || s.width() != in.w()) {
            throw new IllegalArgumentException("data are " + s.channels() + "x" + s.height() + "x" + s.width()
                    + " but the model takes " + in.c() + "x" + in.h() + "x" + in.w());
        }
    }

    public TrainConfig config() { return config; }

    public Model model() { return model; }

    /** Images per minibatch (the configured size, or the automatic rule's for this split). */
    public int batchSize() { return batchSize; }

    /** N: training examples after the validation split. */
    public int trainCount() { return trainIndices.length; }

    public int validCount() { return validIndices.length; }

    /** Indices (into the validation source) of the validation examples, sorted. */
    public int[] validIndices() { return validIndices.clone(); }

    /** Indices of the training split, sorted. */
    public int[] trainIndices() { return trainIndices.clone(); }

    public TrainerState state() { return state; }

    /** Continues from a checkpoint: the model's tensors must already hold the checkpoint's values. */
    public void restore(TrainerState s) {
        this.state = s;
    }

    /** Runs the remaining epochs up to {@code config.epochs()}; listener and hook may be null. */
    public List<EpochStats> fit(EpochListener listener, CheckpointHook hook) {
        List<EpochStats> all = new ArrayList<>();
        if (state.epoch() == 0 && state.step() == 0 && model.bayesian() && config.init() instanceof Init.Moped moped) {
            pretrain(moped, listener);
        }
        while (state.epoch() < config.epochs()) {
            EpochStats s = trainEpoch();
            all.add(s);
            if (listener != null) listener.onEpoch(s);
            if (hook != null) {
                try {
                    hook.afterEpoch(model, state, s);
                } catch (IOException e) {
                    throw new UncheckedIOException("checkpoint after epoch " + s.epoch() + " failed: " + e.getMessage(), e);
                }
            }
        }
        return all;
    }

    /**
     * MOPED: trains the frequentist twin on the same split, shuffles and learning rate for
     * {@code moped.epochs()} epochs (reported with {@code pretraining = true}), then sets this
     * model's μ and ρ from it.
     */
    private void pretrain(Init.Moped moped, EpochListener listener) {
        if (model.spec() == null) throw new IllegalStateException("MOPED needs a model built from a ModelSpec");
        TrainConfig twinConfig = config.withInit(new Init.Random()).withEpochs(moped.epochs()).withTrainSamples(1)
                .withLrSchedule(new LrSchedule.Constant());
        try (Model twin = Model.create(Moped.twinSpec(model.spec()), config.seed());
             Trainer t = ownSplit ? new Trainer(twin, twinConfig, source)
                     : new Trainer(twin, twinConfig, source, validIndices.length > 0 ? validSource : null)) {
            EpochListener relay = listener == null ? null : s -> listener.onEpoch(new EpochStats(s.epoch(), s.loss(), s.nll(), 0, 0,
                    s.trainAccuracy(), s.validAccuracy(), s.validNll(), s.validSamples(), s.seconds(), s.imagesPerSecond(), s.lr(), true));
            try {
                t.fit(relay, null);
            } catch (TrainingDivergedException e) {
                throw new TrainingDivergedException("in the MOPED pre-training of the frequentist twin: " + e.getMessage());
            }
            Moped.initialize(twin, model, moped.delta());
            if (moped.centerPrior()) model.setPriorMeans(twin.allMu().toArray());
        }
    }

    /** One epoch: shuffle, M minibatch steps (learning rate from the schedule), validation, plateau rule. */
    public EpochStats trainEpoch() {
        long start = System.nanoTime();
        int epoch = state.epoch() + 1;
        int n = trainIndices.length, b = batchSize;
        System.arraycopy(trainIndices, 0, order, 0, n);
        Shuffle.shuffle(order, config.seed(), Noise.stream(Noise.DATA, epoch, 0, Noise.SHUFFLE));
        int batches = (n + b - 1) / b;
        long step = state.step();
        // Cosine annealing is a pure function of the step; constant and plateau rates are the state's.
        LrSchedule.Cosine cosine = config.lrSchedule() instanceof LrSchedule.Cosine c ? c : null;
        long totalSteps = (long) config.epochs() * batches;
        double epochLr = cosine != null ? cosine.lr(config.lr(), step, totalSteps) : state.lr();
        double lr = epochLr;
        double loss = 0, nll = 0, kl = 0, beta = 0;
        long correct = 0;
        int[] labels = backprop.labels();
        for (int i = 0; i < batches; i++) {
            int from = i * b, count = Math.min(b, n - from);
            source.writeBatch(order, from, count, backprop.input(), 0);
            for (int j = 0; j < count; j++) labels[j] = source.label(order[from + j]);
            double w = config.beta().weight(i + 1, batches, epoch);
            StepResult r = backprop.step(count, config.seed(), step, model.bayesian() ? w / n : 0.0);
            double l = r.loss();
            if (!Double.isFinite(l)) {
                throw new TrainingDivergedException("loss became " + l + " at epoch " + epoch + ", minibatch " + (i + 1) + " of " + batches
                        + " (nll " + r.nll() + ", kl " + r.kl() + ", beta " + w + ", lr " + lr + "); try a lower learning rate");
            }
            if (cosine != null) lr = cosine.lr(config.lr(), step, totalSteps);
            step++;
            optimizer.step(lr, step);
            loss += l;
            nll += r.nll();
            kl += r.kl();
            beta += w;
            correct += r.correct();
        }
        double trainSeconds = (System.nanoTime() - start) * 1e-9;
        double validAcc = Double.NaN, validNll = Double.NaN;
        if (evaluator != null) {
            Evaluation e = evaluator.evaluate(validSource, validIndices, config.validSamples(), config.seed(), (long) epoch << 20);
            validAcc = e.accuracy();
            validNll = e.nll();
        }
        state = afterEpoch(state, epoch, step, validNll, config.lrSchedule() instanceof Plateau p ? p : null);
        double seconds = (System.nanoTime() - start) * 1e-9;
        return new EpochStats(epoch, loss / batches, nll / batches, kl / batches, beta / batches, (double) correct / n,
                validAcc, validNll, config.validSamples(), seconds, n / trainSeconds, epochLr, false);
    }

    /**
     * The state after an epoch: the best validation NLL, the epochs without improvement (by a
     * relative 1e-4), and the learning rate after the plateau rule (lr·factor, not below minLr,
     * once the bad epochs exceed the patience; the count then restarts). NaN validation NLL
     * (no validation split) leaves all three unchanged.
     */
    static TrainerState afterEpoch(TrainerState s, int epoch, long step, double validNll, Plateau plateau) {
        double best = s.bestValidNll(), lr = s.lr();
        int bad = s.badEpochs();
        if (!Double.isNaN(validNll)) {
            if (Double.isInfinite(best) || validNll < best - 1e-4 * Math.abs(best)) {
                best = validNll;
                bad = 0;
            } else if (++bad > (plateau == null ? Integer.MAX_VALUE : plateau.patience())) {
                lr = Math.max(plateau.minLr(), lr * plateau.factor());
                bad = 0;
            }
        }
        return new TrainerState(epoch, step, lr, best, bad);
    }

    /** Noise streams of the calibration passes: apart from validation (epoch << 20) and the callers' test streams. */
    static final long CALIBRATION_STREAM = 1L << 42;

    /**
     * Temperature scaling fitted on this trainer's validation split with {@code samples}
     * Monte-Carlo samples (one deterministic pass for a model without noise) and folded into the model's
     * last layer; τ = 1 when there is no validation split.
     */
    public TemperatureScaling.Result calibrate(int samples) {
        return TemperatureScaling.calibrate(model, validSource == null ? source : validSource, validIndices,
                model.estimator().stochastic() ? samples : 0, config.seed(), CALIBRATION_STREAM, par);
    }

    /** Accuracy and NLL on any labelled source (e.g. a test split), with this trainer's threads. */
    public Evaluation evaluate(BatchSource data, int samples, long seed) {
        try (Evaluator e = new Evaluator(model, Math.min(batchSize, Math.max(1, data.size())), Math.max(1, samples), par)) {
            return e.evaluate(data, null, samples, seed, 0);
        }
    }

    @Override
    public void close() {
        backprop.close();
        if (evaluator != null) evaluator.close();
        par.close();
    }
}
