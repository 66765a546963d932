package io.bnn4j.cli;

import io.bnn4j.Labelled;
import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.prune.PruneMethod;
import io.bnn4j.prune.PruneScope;
import io.bnn4j.train.Init;
import io.bnn4j.train.LrSchedule;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.uncertainty.Normalization;
import picocli.CommandLine;

import java.util.Iterator;
import java.util.List;

/**
 * The converters of the flags whose values are a closed set: each reads the engine's own
 * spelling ({@link Labelled#label()}) and, given anything else, names the valid values.
 */
public final class Choices {

    private Choices() {}

    /** Label to enum constant; the labels also feed picocli's ${COMPLETION-CANDIDATES}. */
    abstract static class Converter<E extends Enum<E> & Labelled> implements CommandLine.ITypeConverter<E>, Iterable<String> {
        private final Class<E> type;
        private final List<E> accepted;

        @SafeVarargs
        Converter(Class<E> type, E... accepted) {
            this.type = type;
            this.accepted = accepted.length == 0 ? List.of(type.getEnumConstants()) : List.of(accepted);
        }

        @Override
        public E convert(String value) {
            for (E e : accepted) if (e.label().equals(value)) return e;
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + String.join(", ", this));
        }

        @Override
        public Iterator<String> iterator() {
            return accepted.stream().map(Labelled::label).iterator();
        }
    }

    public static final class EstimatorConverter extends Converter<Estimator> { public EstimatorConverter() { super(Estimator.class); } }
    public static final class ActivationConverter extends Converter<Activation> { public ActivationConverter() { super(Activation.class); } }
    public static final class KlConverter extends Converter<KlKind> { public KlConverter() { super(KlKind.class); } }
    public static final class LrScheduleConverter extends Converter<LrSchedule.Kind> { public LrScheduleConverter() { super(LrSchedule.Kind.class); } }
    /** Network outputs are logits: "probabilities" is not offered. */
    public static final class NormalizationConverter extends Converter<Normalization> {
        public NormalizationConverter() { super(Normalization.class, Normalization.SOFTMAX, Normalization.SOFTPLUS); }
    }
    public static final class PruneMethodConverter extends Converter<PruneMethod> { public PruneMethodConverter() { super(PruneMethod.class); } }
    public static final class PruneScopeConverter extends Converter<PruneScope> { public PruneScopeConverter() { super(PruneScope.class); } }

    /** {@code --arch}: one of the engine's image architectures, or mlp[:H1,H2,...]. */
    public static final class ArchConverter implements CommandLine.ITypeConverter<String>, Iterable<String> {
        @Override
        public String convert(String value) {
            if (ModelSpec.ARCHITECTURES.contains(value) || value.equals(ModelSpec.MLP)) return value;
            if (value.startsWith(ModelSpec.MLP + ":")) {
                try {
                    ModelSpec.widthsOf(value);
                    return value;
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException(e.getMessage());
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of " + String.join(", ", this) + " or mlp[:H1,H2,...]");
        }

        @Override
        public Iterator<String> iterator() {
            return ModelSpec.ARCHITECTURES.iterator();
        }
    }

    /**
     * {@code --beta}: the spelling is checked here, the schedule made once the epochs are known
     * ("warmup" spans half of them): {@link BetaSchedule#parse}.
     */
    public static final class BetaConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            try {
                BetaSchedule.parse(v, 2);
                return v;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --init}: random, moped or moped:DELTA, checked here, made with the pre-training epochs: {@link Init#parse}. */
    public static final class InitConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String v) {
            try {
                Init.parse(v, TrainConfig.DEFAULT_MOPED_DELTA, 1, false);
                return v;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --task}: classification of images or regression of a CSV column. */
    public enum Task implements Labelled {
        CLASSIFICATION, REGRESSION;
        @Override public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public static final class TaskConverter extends Converter<Task> {
        public TaskConverter() { super(Task.class); }
    }

    /** {@code --calibrate}: post-hoc temperature scaling on the validation split, or none. */
    public enum Calibration implements Labelled {
        TEMPERATURE, NONE;
        @Override public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public static final class CalibrationConverter extends Converter<Calibration> {
        public CalibrationConverter() { super(Calibration.class); }
    }

    /** {@code --prior-mean}: the Gaussian prior centred on zero, or on the MOPED twin's weights (empirical Bayes). */
    public enum PriorMean implements Labelled {
        ZERO, MOPED;
        @Override public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public static final class PriorMeanConverter extends Converter<PriorMean> {
        public PriorMeanConverter() { super(PriorMean.class); }
    }

    /** {@code --batch-size}: a positive count, or "auto" (the engine's rule, {@link TrainConfig#autoBatchSize}). */
    public static final class BatchSizeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            if (v.equals("auto")) return TrainConfig.AUTO_BATCH;
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
