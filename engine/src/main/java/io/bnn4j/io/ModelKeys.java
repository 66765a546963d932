package io.bnn4j.io;

/**
 * The metadata keys and tensor names a bnn4j model file uses (docs/FORMAT.md, "What a model
 * file holds"). The format itself is generic; these names are the contract between the writer
 * of a model (the trainer, the pruner) and its readers ({@code bnn info}, the predictor).
 */
public final class ModelKeys {

    private ModelKeys() {}

    /** string: "lenet5", "3conv3fc", "alexnet", "mlp". */
    public static final String ARCH = "arch";
    /** string: the layer estimator, "lrt", "bbb" or "none". */
    public static final String ESTIMATOR = "estimator";
    /** string: "softplus" or "relu". */
    public static final String ACTIVATION = "activation";
    /** float64: the MC-dropout rate, in [0, 1); only for estimator "dropout". */
    public static final String DROPOUT = "dropout.rate";
    /** string: "gaussian" (N(0, prior.sigma²)) or "mixture" (Blundell's scale mixture). */
    public static final String PRIOR_KIND = "prior.kind";
    /** float64: σ of the Gaussian prior. */
    public static final String PRIOR_SIGMA = "prior.sigma";
    /** float64: π, σ1, σ2 of the scale-mixture prior. */
    public static final String PRIOR_PI = "prior.pi", PRIOR_SIGMA1 = "prior.sigma1", PRIOR_SIGMA2 = "prior.sigma2";
    /** string: "standard" or "reverse", the KL direction the model was trained with. */
    public static final String KL = "kl";
    /** int64: the input the model expects, C × H × W. */
    public static final String INPUT_CHANNELS = "input.channels", INPUT_HEIGHT = "input.height", INPUT_WIDTH = "input.width";
    /** string: how raw images become the input, e.g. "scale01,pad28to32". */
    public static final String INPUT_TRANSFORM = "input.transform";
    /** string list: the class names, index = class number. */
    public static final String CLASSES = "classes";
    /** string list: layer widths as decimal strings (after structured pruning they differ from the architecture's). */
    public static final String WIDTHS = "widths";
    /** string: "regression" for a Gaussian-output model (absent: classification). */
    public static final String TASK = "task";
    /**
     * Regression models: strings, the feature and target column names, and the standardisation
     * (mean and standard deviation of each, as decimal strings that round-trip exactly).
     */
    public static final String FEATURES = "regression.features", FEATURE_MEAN = "regression.feature_mean",
            FEATURE_SD = "regression.feature_sd", TARGETS = "regression.targets", TARGET_MEAN = "regression.target_mean",
            TARGET_SD = "regression.target_sd";
    /** string list: the layer names, in forward order (the prefixes of the tensor names). */
    public static final String LAYERS = "layers";
    /** int64: the training seed. */
    public static final String SEED = "provenance.seed";
    /** int64: the epochs trained. */
    public static final String EPOCHS = "provenance.epochs";
    /** string: a digest of the training data, e.g. "sha256:…". */
    public static final String DATA_DIGEST = "provenance.data_digest";
    /** string: the bnn4j version that wrote the file (the writer fills it in when absent). */
    public static final String BNN4J_VERSION = "provenance.bnn4j_version";
    /** string: ISO-8601 UTC instant of writing. */
    public static final String CREATED = "provenance.created";
    /** Prefix of training-state metadata in checkpoints ("train.epoch", "train.step", …). */
    public static final String TRAIN_PREFIX = "train.";
    /** Prefix of optimizer-state tensors in checkpoints ("optimizer.fc1.weight.mu.m", …). */
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    /** Suffixes of a layer's parameter tensors: "&lt;layer&gt;.weight.mu" and so on. */
    public static final String MU = ".mu", RHO = ".rho", MASK = ".mask";

    /** "&lt;layer&gt;.&lt;param&gt;.mu", e.g. {@code tensorName("conv1", "weight", MU)}. */
    public static String tensorName(String layer, String param, String suffix) {
        return layer + "." + param + suffix;
    }
}
