package io.bnn4j.cli;

import io.bnn4j.job.PruneJob;
import io.bnn4j.job.TrainJob;
import io.bnn4j.train.TrainConfig;

/**
 * The defaults of the flags, in one place; the help text shows them. The training recipe is the
 * engine's ({@link TrainConfig#defaults()}, {@link TrainJob#of}), chosen by the sweeps of
 * docs/TRAINING.md §9; the values here only spell it for picocli.
 */
public final class Defaults {

    private Defaults() {}

    public static final int EPOCHS = TrainConfig.DEFAULT_EPOCHS;
    /** Batch size of bench's throughput runs (training picks its own: --batch-size auto). */
    public static final int BATCH_SIZE = 256;
    public static final double LR = TrainConfig.DEFAULT_LR;
    public static final String LR_SCHEDULE = "cosine";
    /** The KL weight: a constant 0.1 (a tempered posterior; the full ELBO, "standard", underfits LeNet-5). */
    public static final String BETA = "" + TrainConfig.DEFAULT_BETA;
    public static final String ACTIVATION = "relu";
    /** Adam learning rate of prune's fine-tuning. */
    public static final double FINE_TUNE_LR = PruneJob.DEFAULT_FINE_TUNE_LR;
    public static final int TRAIN_SAMPLES = 1;
    public static final double PRIOR_SIGMA = TrainJob.DEFAULT_PRIOR_SIGMA;
    public static final String PRIOR_MEAN = "zero";
    public static final double VALID_FRACTION = TrainConfig.DEFAULT_VALID_FRACTION;
    public static final long SEED = 42;
    /** Monte-Carlo samples for predict, evaluate and bench: 20 keeps the MC error of p̄ around 1/sqrt(20) of its spread. */
    public static final int SAMPLES = 20;
    public static final String OUT = "model.bnn";
    public static final int FINE_TUNE_EPOCHS = 0;
    /** MC-dropout rate of --layer dropout. */
    public static final double DROPOUT = TrainJob.DEFAULT_DROPOUT;
    /** MOPED: σ = δ·|w| after the frequentist pre-training. */
    public static final double MOPED_DELTA = TrainConfig.DEFAULT_MOPED_DELTA;
    /** MOPED: epochs of the frequentist twin. */
    public static final int PRETRAIN_EPOCHS = TrainConfig.DEFAULT_PRETRAIN_EPOCHS;
}
