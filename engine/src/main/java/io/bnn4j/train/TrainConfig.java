package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;

import java.util.Objects;

/**
 * How to train. The prior is part of the model ({@code ModelSpec.prior()}), not repeated here.
 *
 * @param epochs         total epochs (a resumed run continues up to this number)
 * @param batchSize      images per minibatch, or {@link #AUTO_BATCH} (the default): {@link #autoBatchSize}
 * @param lr             initial learning rate (default 1e-3)
 * @param trainSamples   T, Monte-Carlo samples per image in the training loss (default 1)
 * @param beta           KL weight schedule (default standard, w = 1)
 * @param kl             standard KL(q‖p) (default) or reverse KL(p‖q)
 * @param validFraction  fraction of the examples held out for validation (default 0.1)
 * @param seed           seed of every random number (split, shuffles, noise)
 * @param threads        worker threads (results do not depend on it)
 * @param optimizer      Adam (default) or SGD with momentum
 * @param lrSchedule     constant (default), reduce-on-plateau or cosine annealing of the learning rate
 * @param validSamples   Monte-Carlo samples for the validation metrics; 0 = one pass with the
 *                       posterior means (default: deterministic, cheap, a stable plateau signal)
 * @param gradientChunks gradient chunks per batch, 0 = automatic; changes results (rounding) but
 *                       never depends on the thread count
 * @param init           how a Bayesian model's posterior starts: random, or MOPED from a frequentist
 *                       twin trained first (ignored for frequentist models and resumed runs)
 */
public record TrainConfig(int epochs, int batchSize, double lr, int trainSamples, BetaSchedule beta, KlKind kl,
                          double validFraction, long seed, int threads, OptimizerSpec optimizer, LrSchedule lrSchedule,
                          int validSamples, int gradientChunks, Init init) {

    public TrainConfig {
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        if (batchSize < 0) throw new IllegalArgumentException("batch size must be >= 1 (or 0 = automatic), got " + batchSize);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        if (trainSamples < 1) throw new IllegalArgumentException("training samples must be >= 1, got " + trainSamples);
        Objects.requireNonNull(beta, "beta");
        Objects.requireNonNull(kl, "kl");
        if (!(validFraction >= 0 && validFraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validFraction);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        if (validSamples < 0) throw new IllegalArgumentException("validation samples must be >= 0, got " + validSamples);
        if (gradientChunks < 0) throw new IllegalArgumentException("gradient chunks must be >= 0, got " + gradientChunks);
        Objects.requireNonNull(init, "init");
    }

    /** {@code batchSize} value asking for {@link #autoBatchSize}. */
    public static final int AUTO_BATCH = 0;

    /** Most and fewest images per minibatch of the automatic rule, and the minibatches it wants per epoch. */
    public static final int MAX_AUTO_BATCH = 256, MIN_AUTO_BATCH = 16, STEPS_PER_EPOCH = 64;

    /**
     * The automatic batch size for n training examples: 256, or smaller so that an epoch has at
     * least 64 optimizer steps (ceil(n/64), at least 16): a small data set then still gets
     * enough updates per epoch (1,800 images: batches of 29), a large one is unaffected.
     */
    public static int autoBatchSize(int n) {
        return Math.max(MIN_AUTO_BATCH, Math.min(MAX_AUTO_BATCH, (n + STEPS_PER_EPOCH - 1) / STEPS_PER_EPOCH));
    }

    /** The batch size for n training examples: the configured one, or the automatic rule. */
    public int batchSizeFor(int n) {
        return batchSize == AUTO_BATCH ? autoBatchSize(n) : batchSize;
    }

    /**
     * The recommended recipe, what {@code bnn train} runs without flags (docs/TRAINING.md §9): 20
     * epochs, automatic batch size, Adam 3e-3 annealed by a cosine to 0, T = 1, a constant KL weight
     * of 0.1 with the standard KL, 10% validation, MOPED initialisation (δ 0.1 after 3 epochs of the
     * frequentist twin).
     */
    public static TrainConfig defaults() {
        return new TrainConfig(DEFAULT_EPOCHS, AUTO_BATCH, DEFAULT_LR, 1, new BetaSchedule.Constant(DEFAULT_BETA), KlKind.STANDARD,
                DEFAULT_VALID_FRACTION, 1, 1, OptimizerSpec.Adam.defaults(), DEFAULT_LR_SCHEDULE.of(DEFAULT_LR), 0, 0,
                new Init.Moped(DEFAULT_MOPED_DELTA, DEFAULT_PRETRAIN_EPOCHS));
    }

    /** The recipe of {@link #defaults()}, one constant each, for the command line's help. */
    public static final int DEFAULT_EPOCHS = 20, DEFAULT_PRETRAIN_EPOCHS = 3;
    public static final double DEFAULT_LR = 3e-3, DEFAULT_BETA = 0.1, DEFAULT_VALID_FRACTION = 0.1, DEFAULT_MOPED_DELTA = 0.1;
    public static final LrSchedule.Kind DEFAULT_LR_SCHEDULE = LrSchedule.Kind.COSINE;

    /**
     * A plain configuration: 10 epochs, batch 256, Adam 1e-3 at a constant rate, T = 1, the full
     * KL (standard β), 10% validation, random initialisation. For fine-tuning a trained model
     * (which must not be re-initialised) and for tests that pin one ingredient at a time.
     */
    public static TrainConfig plain() {
        return new TrainConfig(10, 256, 1e-3, 1, new BetaSchedule.Standard(), KlKind.STANDARD, 0.1, 1, 1,
                OptimizerSpec.Adam.defaults(), new LrSchedule.Constant(), 0, 0, new Init.Random());
    }

    public TrainConfig withEpochs(int v) { return new TrainConfig(v, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withBatchSize(int v) { return new TrainConfig(epochs, v, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withLr(double v) { return new TrainConfig(epochs, batchSize, v, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withTrainSamples(int v) { return new TrainConfig(epochs, batchSize, lr, v, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withBeta(BetaSchedule v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, v, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withKl(KlKind v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, v, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withValidFraction(double v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, v, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withSeed(long v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, v, threads, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withThreads(int v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, v, optimizer, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withOptimizer(OptimizerSpec v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, v, lrSchedule, validSamples, gradientChunks, init); }

    public TrainConfig withLrSchedule(LrSchedule v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, v, validSamples, gradientChunks, init); }

    public TrainConfig withValidSamples(int v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, v, gradientChunks, init); }

    public TrainConfig withInit(Init v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, gradientChunks, v); }

    public TrainConfig withGradientChunks(int v) { return new TrainConfig(epochs, batchSize, lr, trainSamples, beta, kl, validFraction, seed, threads, optimizer, lrSchedule, validSamples, v, init); }
}
