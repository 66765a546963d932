package io.bnn4j.cli;

/** The defaults of the flags (DESIGN §1 and §5), in one place; the help text shows them. */
public final class Defaults {

    private Defaults() {}

    /** 10 epochs: enough for LeNet-5 on Fashion-MNIST to pass 85% test accuracy (DESIGN leaves it open). */
    public static final int EPOCHS = 10;
    public static final int BATCH_SIZE = 256;
    public static final double LR = 1e-3;
    public static final int TRAIN_SAMPLES = 1;
    public static final double PRIOR_SIGMA = 0.1;
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
