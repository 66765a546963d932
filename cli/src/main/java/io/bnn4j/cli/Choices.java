package io.bnn4j.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Collectors;

/**
 * The closed sets of values the flags accept, spelled as on the command line (docs/CLI.md).
 * Each enum has a converter that names the valid values when given another.
 */
public final class Choices {

    private Choices() {}

    /** An enum whose command-line spelling is {@link #label()}. */
    public interface Labelled {
        String label();
    }

    public enum Arch implements Labelled {
        LENET5("lenet5"), THREE_CONV_THREE_FC("3conv3fc"), ALEXNET("alexnet");
        private final String label;
        Arch(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    /** The layer estimator (docs/TRAINING.md): local reparameterization, weight sampling, or frequentist. */
    public enum Layer implements Labelled {
        LRT("lrt"), BBB("bbb"), NONE("none"), FLIPOUT("flipout"), DROPOUT("dropout");
        private final String label;
        Layer(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    public enum Activation implements Labelled {
        SOFTPLUS("softplus"), RELU("relu");
        private final String label;
        Activation(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    /** KL(q‖p) ("standard") or the reference code's KL(p‖q) ("reverse"). */
    public enum Kl implements Labelled {
        STANDARD("standard"), REVERSE("reverse");
        private final String label;
        Kl(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    /** How the learning rate moves: constant, halved on a validation-NLL plateau, or cosine-annealed to 0. */
    public enum LrScheduleChoice implements Labelled {
        CONSTANT("constant"), PLATEAU("plateau"), COSINE("cosine");
        private final String label;
        LrScheduleChoice(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    public enum Normalization implements Labelled {
        SOFTMAX("softmax"), SOFTPLUS("softplus");
        private final String label;
        Normalization(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    public enum PruneMethod implements Labelled {
        SNR("snr"), MAGNITUDE("magnitude"), L1_FILTER("l1-filter");
        private final String label;
        PruneMethod(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    /** Whether unstructured pruning ranks weights over the whole network or within each layer. */
    public enum PruneScope implements Labelled {
        GLOBAL("global"), LAYER("layer");
        private final String label;
        PruneScope(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    /** Converts a label to its enum constant; an unknown one names the valid labels. */
    abstract static class Converter<E extends Enum<E> & Labelled> implements CommandLine.ITypeConverter<E>, Iterable<String> {
        private final Class<E> type;

        Converter(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            for (E e : type.getEnumConstants()) if (e.label().equals(value)) return e;
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + String.join(", ", this));
        }

        /** The labels, for picocli's ${COMPLETION-CANDIDATES}. */
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(type.getEnumConstants()).map(Labelled::label).collect(Collectors.toList()).iterator();
        }
    }

    public static final class ArchConverter extends Converter<Arch> { public ArchConverter() { super(Arch.class); } }
    public static final class LayerConverter extends Converter<Layer> { public LayerConverter() { super(Layer.class); } }
    public static final class ActivationConverter extends Converter<Activation> { public ActivationConverter() { super(Activation.class); } }
    public static final class KlConverter extends Converter<Kl> { public KlConverter() { super(Kl.class); } }
    public static final class LrScheduleConverter extends Converter<LrScheduleChoice> { public LrScheduleConverter() { super(LrScheduleChoice.class); } }
    public static final class NormalizationConverter extends Converter<Normalization> { public NormalizationConverter() { super(Normalization.class); } }
    public static final class PruneMethodConverter extends Converter<PruneMethod> { public PruneMethodConverter() { super(PruneMethod.class); } }
    public static final class PruneScopeConverter extends Converter<PruneScope> { public PruneScopeConverter() { super(PruneScope.class); } }

    /**
     * The KL weight schedule of {@code --beta} (docs/TRAINING.md): {@code standard}, {@code blundell},
     * {@code warmup} or {@code warmup:EPOCHS}, or a constant number ≥ 0.
     */
    public sealed interface Beta {
        record Standard() implements Beta { @Override public String toString() { return "standard"; } }
        record Blundell() implements Beta { @Override public String toString() { return "blundell"; } }
        /** w = min(1, epoch / epochs); {@code epochs} 0 means "half the training epochs, at least 1". */
        record Warmup(int epochs) implements Beta { @Override public String toString() { return epochs == 0 ? "warmup" : "warmup:" + epochs; } }
        record Constant(double weight) implements Beta { @Override public String toString() { return Double.toString(weight); } }
    }

    public static final class BetaConverter implements CommandLine.ITypeConverter<Beta> {
        @Override
        public Beta convert(String v) {
            switch (v) {
                case "standard": return new Beta.Standard();
                case "blundell": return new Beta.Blundell();
                case "warmup": return new Beta.Warmup(0);
                default:
            }
            String expected = "'" + v + "' is not standard, blundell, warmup, warmup:EPOCHS or a number >= 0";
            if (v.startsWith("warmup:")) {
                try {
                    int n = Integer.parseInt(v.substring("warmup:".length()));
                    if (n >= 1) return new Beta.Warmup(n);
                } catch (NumberFormatException ignored) {
                    // falls through to the message
                }
                throw new CommandLine.TypeConversionException(expected + " (warmup:EPOCHS needs EPOCHS >= 1)");
            }
            try {
                double w = Double.parseDouble(v);
                if (Double.isFinite(w) && w >= 0 && !v.endsWith("d") && !v.endsWith("f") && !v.endsWith("D") && !v.endsWith("F")) {
                    return new Beta.Constant(w);
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message
            }
            throw new CommandLine.TypeConversionException(expected);
        }
    }

    /** {@code --init}: random, or MOPED with its δ. */
    public record InitChoice(boolean moped, double delta) {
        public io.bnn4j.train.Init toInit(int pretrainEpochs, boolean centerPrior) {
            return moped ? new io.bnn4j.train.Init.Moped(delta, pretrainEpochs, centerPrior) : new io.bnn4j.train.Init.Random();
        }
    }

    public static final class InitConverter implements CommandLine.ITypeConverter<InitChoice> {
        @Override
        public InitChoice convert(String v) {
            if (v.equals("random")) return new InitChoice(false, 0);
            if (v.equals("moped")) return new InitChoice(true, Defaults.MOPED_DELTA);
            if (v.startsWith("moped:")) {
                try {
                    double d = Double.parseDouble(v.substring("moped:".length()));
                    if (d > 0 && d <= 1) return new InitChoice(true, d);
                } catch (NumberFormatException ignored) {
                    // falls through to the message
                }
            }
            throw new CommandLine.TypeConversionException("'" + v + "' is not random, moped or moped:DELTA with DELTA in (0, 1]");
        }
    }

    /** {@code --calibrate}: post-hoc temperature scaling on the validation split, or none. */
    public enum Calibration implements Labelled {
        TEMPERATURE("temperature"), NONE("none");
        private final String label;
        Calibration(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    public static final class CalibrationConverter extends Converter<Calibration> {
        public CalibrationConverter() { super(Calibration.class); }
    }

    /** {@code --prior-mean}: the Gaussian prior centred on zero, or on the MOPED twin's weights (empirical Bayes). */
    public enum PriorMean implements Labelled {
        ZERO("zero"), MOPED("moped");
        private final String label;
        PriorMean(String label) { this.label = label; }
        @Override public String label() { return label; }
        @Override public String toString() { return label; }
    }

    public static final class PriorMeanConverter extends Converter<PriorMean> {
        public PriorMeanConverter() { super(PriorMean.class); }
    }

    /** {@code --batch-size}: a positive count, or "auto" (0: the engine's rule). */
    public static final class BatchSizeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            if (v.equals("auto")) return io.bnn4j.train.TrainConfig.AUTO_BATCH;
            try {
                int b = Integer.parseInt(v);
                if (b >= 1) return b;
            } catch (NumberFormatException ignored) {
                // falls through to the message
            }
            throw new CommandLine.TypeConversionException("'" + v + "' is not auto or a whole number >= 1");
        }
    }
}
