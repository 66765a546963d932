package io.bnn4j.cli;

/**
 * The defaults of the flags, in one place; the help text shows them. The training defaults are
 * the recipe chosen by the sweeps of docs/TRAINING.md §9 (MOPED, ReLU, lr 3e-3 cosine-annealed,
 * constant KL weight 0.1, temperature scaling), the same for every dataset.
 */
public final class Defaults {

    private Defaults() {}

    public static final int EPOCHS = 20;
    /** Batch size of bench's throughput runs (training picks its own: --batch-size auto). */
    public static final int BATCH_SIZE = 256;
    public static final double LR = 3e-3;
    public static final String LR_SCHEDULE = "cosine";
    /** The KL weight: a constant 0.1 (a tempered posterior; the full ELBO, "standard", underfits LeNet-5). */
    public static final String BETA = "0.1";
    public static final String ACTIVATION = "relu";
    /** Adam learning rate of prune's fine-tuning. */
    public static final double FINE_TUNE_LR = 1e-3;
    public static final int TRAIN_SAMPLES = 1;
    public static final double PRIOR_SIGMA = 0.1;
    public static final String PRIOR_MEAN = "zero";
    public static final double VALID_FRACTION = 0.1;
    public static final long SEED = 42;
    /** Monte-Carlo samples for predict, evaluate and bench: 20 keeps the MC error of p̄ around 1/sqrt(20) of its spread. */
    public static final int SAMPLES = 20;
    public static final String OUT = "model.bnn";
    public static final int FINE_TUNE_EPOCHS = 0;
    /** MC-dropout rate of --layer dropout. */
    public static final double DROPOUT = 0.1;
    /** MOPED: σ = δ·|w| after the frequentist pre-training. */
    public static final double MOPED_DELTA = 0.1;
    /** MOPED: epochs of the frequentist twin. */
    public static final int PRETRAIN_EPOCHS = 3;
}
