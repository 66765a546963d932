package io.bnn4j.nn;

import io.bnn4j.bayes.Prior;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything that defines a model's structure: architecture, input shape, classes, estimator,
 * activation, prior and the widths of its hidden layers.
 *
 * <p>{@code widths} are the output channels / features of every conv and dense layer except
 * the last (whose width is {@code numClasses}), in order; {@code null} in the canonical
 * constructor means the architecture's defaults ({@link #defaultWidths(String)}). A structurally
 * pruned model is described by smaller widths.
 *
 * @param arch     "lenet5", "3conv3fc", "alexnet", or "mlp" (dense layers of {@code widths} over
 *                 an input of (1, 1, F) features)
 * @param numClasses the outputs of the last layer: classes, or 2 per target for regression
 * @param height   input height (the architectures are defined for 32)
 * @param width    input width (32)
 */
public record ModelSpec(String arch, int inChannels, int height, int width, int numClasses, Estimator estimator,
                        Activation activation, Prior prior, int[] widths, double dropout) {

    /** The MC-dropout rate of {@link Estimator#DROPOUT} models when none is given. */
    public static final double DEFAULT_DROPOUT = 0.1;

    /** Without a dropout rate ({@link #DEFAULT_DROPOUT} for DROPOUT models). */
    public ModelSpec(String arch, int inChannels, int height, int width, int numClasses, Estimator estimator,
                     Activation activation, Prior prior, int[] widths) {
        this(arch, inChannels, height, width, numClasses, estimator, activation, prior, widths, 0);
    }

    public static final String LENET5 = "lenet5", THREE_CONV_THREE_FC = "3conv3fc", ALEXNET = "alexnet", MLP = "mlp";
    /** The image architectures (32×32 inputs); {@link #MLP} takes a flat feature vector. */
    public static final List<String> ARCHITECTURES = List.of(LENET5, THREE_CONV_THREE_FC, ALEXNET);
    /** Hidden layers of an MLP: 1 to this many. */
    public static final int MLP_MAX_LAYERS = 8;

    public ModelSpec {
        Objects.requireNonNull(arch, "arch");
        arch = arch.toLowerCase(Locale.ROOT);
        if (!ARCHITECTURES.contains(arch) && !arch.equals(MLP)) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "' (expected one of " + ARCHITECTURES + " or mlp)");
        }
        if (inChannels < 1) throw new IllegalArgumentException("input channels must be >= 1, got " + inChannels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
        if (numClasses < 2) throw new IllegalArgumentException("need at least 2 classes, got " + numClasses);
        Objects.requireNonNull(estimator, "estimator");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(prior, "prior");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropout);
        dropout = estimator != Estimator.DROPOUT ? 0 : dropout == 0 ? DEFAULT_DROPOUT : dropout;
        int[] def = defaultWidths(arch);
        widths = widths == null ? def : widths.clone();
        if (arch.equals(MLP)) {
            if (widths.length < 1 || widths.length > MLP_MAX_LAYERS) {
                throw new IllegalArgumentException("mlp has 1 to " + MLP_MAX_LAYERS + " hidden layers, got " + widths.length);
            }
        } else if (widths.length != def.length) {
            throw new IllegalArgumentException(arch + " has " + def.length + " hidden widths, got " + widths.length);
        }
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("layer widths must be >= 1, got " + Arrays.toString(widths));
    }

    /**
     * The recommended model, what {@code bnn train} builds without flags: 32×32 input, LRT, ReLU,
     * prior N(0, 0.1²), default widths. Train it with {@code TrainConfig.defaults()}.
     */
    public static ModelSpec defaults(String arch, int inChannels, int numClasses) {
        return of(arch, inChannels, numClasses).withActivation(Activation.RELU);
    }

    /**
     * The reference model (PyTorch-BayesianCNN's): 32×32 input, LRT, softplus, prior N(0, 0.1²),
     * default widths; what the benchmarks and their PyTorch twin run.
     */
    public static ModelSpec of(String arch, int inChannels, int numClasses) {
        return new ModelSpec(arch, inChannels, 32, 32, numClasses, Estimator.LRT, Activation.SOFTPLUS, Prior.defaultPrior(), null);
    }

    public ModelSpec withEstimator(Estimator e) {
        return new ModelSpec(arch, inChannels, height, width, numClasses, e, activation, prior, widths, dropout);
    }

    public ModelSpec withActivation(Activation a) {
        return new ModelSpec(arch, inChannels, height, width, numClasses, estimator, a, prior, widths, dropout);
    }

    public ModelSpec withPrior(Prior p) {
        return new ModelSpec(arch, inChannels, height, width, numClasses, estimator, activation, p, widths, dropout);
    }

    public ModelSpec withWidths(int... w) {
        return new ModelSpec(arch, inChannels, height, width, numClasses, estimator, activation, prior, w, dropout);
    }

    /** The MC-dropout rate (used by DROPOUT models only). */
    public ModelSpec withDropout(double rate) {
        return new ModelSpec(arch, inChannels, height, width, numClasses, estimator, activation, prior, widths, rate);
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }

    public ImageShape inputShape() {
        return new ImageShape(inChannels, height, width);
    }

    /** The architecture of a command-line spelling: "mlp:64,32" → "mlp"; other names as they are. */
    public static String nameOf(String archSpec) {
        int colon = archSpec.indexOf(':');
        return colon < 0 ? archSpec : archSpec.substring(0, colon);
    }

    /**
     * The hidden widths a spelling gives: "mlp:64,32" → {64, 32}; null for a bare name (the
     * architecture's own).
     *
     * @throws IllegalArgumentException for widths that are not positive integers, or for widths on
     *                                  an image architecture
     */
    public static int[] widthsOf(String archSpec) {
        int colon = archSpec.indexOf(':');
        if (colon < 0) return null;
        if (!nameOf(archSpec).equals(MLP)) throw new IllegalArgumentException("only mlp takes widths (mlp:H1,H2,...), got '" + archSpec + "'");
        String[] parts = archSpec.substring(colon + 1).split(",", -1);
        if (parts.length > MLP_MAX_LAYERS) throw new IllegalArgumentException("mlp has 1 to " + MLP_MAX_LAYERS + " hidden layers, got '" + archSpec + "'");
        int[] w = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                w[i] = 0;
            }
            if (w[i] < 1 || w[i] > 1 << 16) throw new IllegalArgumentException("mlp widths must be whole numbers in 1..65536, got '" + archSpec + "'");
        }
        return w;
    }

    /** Hidden widths of an architecture as published. */
    public static int[] defaultWidths(String arch) {
        return switch (arch.toLowerCase(Locale.ROOT)) {
            case LENET5 -> new int[]{6, 16, 120, 84};
            case THREE_CONV_THREE_FC -> new int[]{32, 64, 128, 1000, 1000};
            case ALEXNET -> new int[]{64, 192, 384, 256, 128};
            case MLP -> new int[]{50, 50};
            default -> throw new IllegalArgumentException("unknown architecture '" + arch + "' (expected one of " + ARCHITECTURES + ")");
        };
    }

    /**
     * The shape of every parameter by name, in the flat order ("conv1.weight" (6, 1, 5, 5),
     * "conv1.bias" (6), …), computed without allocating.
     *
     * @throws ArithmeticException when the shapes overflow
     * @throws IllegalArgumentException when a layer does not fit its input
     */
    public Map<String, int[]> parameterShapes() {
        return Model.parameterShapes(inputShape(), layers());
    }

    /** The layers of this model, in order (docs/TRAINING.md §2). */
    public List<LayerDef> layers() {
        int[] w = widths;
        List<LayerDef> l = new ArrayList<>();
        LayerDef act = new LayerDef.Act();
        switch (arch) {
            case LENET5 -> {
                l.addAll(List.of(new LayerDef.Conv("conv1", w[0], 5, 1, 0), act, new LayerDef.MaxPool(2, 2),
                        new LayerDef.Conv("conv2", w[1], 5, 1, 0), act, new LayerDef.MaxPool(2, 2), new LayerDef.Flatten(),
                        new LayerDef.Dense("fc1", w[2]), act, new LayerDef.Dense("fc2", w[3]), act,
                        new LayerDef.Dense("fc3", numClasses)));
            }
            case THREE_CONV_THREE_FC -> {
                l.addAll(List.of(new LayerDef.Conv("conv1", w[0], 5, 1, 2), act, new LayerDef.MaxPool(3, 2),
                        new LayerDef.Conv("conv2", w[1], 5, 1, 2), act, new LayerDef.MaxPool(3, 2),
                        new LayerDef.Conv("conv3", w[2], 5, 1, 1), act, new LayerDef.MaxPool(3, 2), new LayerDef.Flatten(),
                        new LayerDef.Dense("fc1", w[3]), act, new LayerDef.Dense("fc2", w[4]), act,
                        new LayerDef.Dense("fc3", numClasses)));
            }
            case ALEXNET -> {
                l.addAll(List.of(new LayerDef.Conv("conv1", w[0], 11, 4, 5), act, new LayerDef.MaxPool(2, 2),
                        new LayerDef.Conv("conv2", w[1], 5, 1, 2), act, new LayerDef.MaxPool(2, 2),
                        new LayerDef.Conv("conv3", w[2], 3, 1, 1), act,
                        new LayerDef.Conv("conv4", w[3], 3, 1, 1), act,
                        new LayerDef.Conv("conv5", w[4], 3, 1, 1), act, new LayerDef.MaxPool(2, 2), new LayerDef.Flatten(),
                        new LayerDef.Dense("fc1", numClasses)));
            }
            case MLP -> {
                // input (1, 1, F): a flat feature vector
                l.add(new LayerDef.Flatten());
                for (int i = 0; i < w.length; i++) {
                    l.add(new LayerDef.Dense("fc" + (i + 1), w[i]));
                    l.add(act);
                }
                l.add(new LayerDef.Dense("fc" + (w.length + 1), numClasses));
            }
            default -> throw new AssertionError(arch);
        }
        return l;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec s && arch.equals(s.arch) && inChannels == s.inChannels && height == s.height
                && width == s.width && numClasses == s.numClasses && estimator == s.estimator && activation == s.activation
                && prior.equals(s.prior) && Arrays.equals(widths, s.widths) && dropout == s.dropout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(arch, inChannels, height, width, numClasses, estimator, activation, prior, Arrays.hashCode(widths), dropout);
    }

    @Override
    public String toString() {
        return "ModelSpec[" + arch + ", in " + inChannels + "x" + height + "x" + width + ", classes " + numClasses + ", "
                + estimator + (estimator == Estimator.DROPOUT ? " " + dropout : "") + ", " + activation + ", " + prior
                + ", widths " + Arrays.toString(widths) + "]";
    }
}
