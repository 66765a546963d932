package io.bnn4j.io;

import io.bnn4j.BnnInputException;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Prior;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import io.bnn4j.tensor.Tensor;
import io.bnn4j.train.TrainerState;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Models to and from model files: the mapping between a {@link Model} (its {@link ModelSpec}
 * and parameter tensors) and the generic container of {@link ModelWriter}/{@link ModelFile}.
 * The keys and tensor names are listed in docs/FORMAT.md.
 *
 * <p>A plain model file holds μ (and ρ for Bayesian models) and masks; a checkpoint also holds
 * the optimizer's moments and the trainer's state, so a run resumes bit for bit.
 */
public final class ModelStore {

    private ModelStore() {}

    /** What a model file says besides the tensors. */
    /**
     * What a model file records besides the tensors.
     *
     * @param classNames     the class names, indexed by class
     * @param inputTransform how images of another size become model inputs (PAD for 28×28 data in a 32×32 model)
     * @param seed           the training seed
     * @param epochs         the epochs trained
     * @param dataDigest     the training data's digest (resume checks it), or null
     * @param kl             the KL the model was trained with (fine-tuning uses it), or null when unknown
     * @param regression     a regression model's columns and standardisation; null for a classifier
     */
    public record ModelInfo(List<String> classNames, ImageTransform inputTransform, long seed, int epochs, String dataDigest,
                            KlKind kl, Regression regression) {
        public ModelInfo {
            classNames = List.copyOf(classNames);
            Objects.requireNonNull(inputTransform, "inputTransform");
        }

        /** A classifier's description. */
        public ModelInfo(List<String> classNames, ImageTransform inputTransform, long seed, int epochs, String dataDigest, KlKind kl) {
            this(classNames, inputTransform, seed, epochs, dataDigest, kl, null);
        }

        /** Class names only: PAD, seed 0, 0 epochs, no digest, the standard KL. */
        public static ModelInfo of(List<String> classNames) {
            return new ModelInfo(classNames, ImageTransform.PAD, 0, 0, null, KlKind.STANDARD);
        }
    }

    /**
     * A regression model's data: its input columns and target columns, each standardised as
     * z = (v − mean) / sd before the network sees it (targets: the network predicts z). An image
     * model has no feature columns: its inputs are images (the model's input transform), not standardised.
     */
    public record Regression(List<String> features, double[] featureMean, double[] featureSd, List<String> targets,
                             double[] targetMean, double[] targetSd) {
        public Regression {
            features = List.copyOf(features);
            targets = List.copyOf(targets);
            featureMean = featureMean.clone();
            featureSd = featureSd.clone();
            targetMean = targetMean.clone();
            targetSd = targetSd.clone();
            if (targets.isEmpty()) throw new IllegalArgumentException("a regression model needs targets");
            if (featureMean.length != features.size() || featureSd.length != features.size()
                    || targetMean.length != targets.size() || targetSd.length != targets.size()) {
                throw new IllegalArgumentException("one mean and one standard deviation per column");
            }
            for (double[] a : new double[][]{featureMean, targetMean}) for (double v : a) {
                if (!Double.isFinite(v)) throw new IllegalArgumentException("standardisation means must be finite");
            }
            for (double[] a : new double[][]{featureSd, targetSd}) for (double v : a) {
                if (!(v > 0) || !Double.isFinite(v)) throw new IllegalArgumentException("standard deviations must be finite and > 0");
            }
        }

        /** Whether the inputs are images rather than feature columns. */
        public boolean images() { return features.isEmpty(); }

        @Override public double[] featureMean() { return featureMean.clone(); }
        @Override public double[] featureSd() { return featureSd.clone(); }
        @Override public double[] targetMean() { return targetMean.clone(); }
        @Override public double[] targetSd() { return targetSd.clone(); }
    }

    /** A loaded model with its description; closing it frees the model. */
    public record Loaded(Model model, ModelInfo info, Optional<TrainerState> trainerState, Path path, long fileBytes)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private static final String TRAIN_EPOCH = "train.epoch", TRAIN_STEP = "train.step", TRAIN_LR = "train.lr",
            TRAIN_BEST = "train.best_valid_nll", TRAIN_BAD = "train.bad_epochs";
    private static final String OPT_M = "optimizer.m", OPT_V = "optimizer.v";
    /** Per-weight prior means (empirical Bayes), in checkpoints: the KL of a resumed run needs them. */
    private static final String PRIOR_MEANS = "prior.means";

    /** Writes a model file atomically. {@code state} non-null writes a resumable checkpoint. */
    public static long save(Model model, ModelInfo info, TrainerState state, Path target) throws IOException {
        ModelSpec spec = model.spec();
        if (spec == null) throw new IllegalArgumentException("only models built from a ModelSpec can be saved");
        ModelWriter w = new ModelWriter();
        Metadata md = w.metadata();
        md.put(ModelKeys.ARCH, spec.arch());
        md.put(ModelKeys.ESTIMATOR, spec.estimator().name().toLowerCase(Locale.ROOT));
        md.put(ModelKeys.ACTIVATION, spec.activation().name().toLowerCase(Locale.ROOT));
        if (spec.estimator() == Estimator.DROPOUT) md.put(ModelKeys.DROPOUT, spec.dropout());
        switch (spec.prior()) {
            case Prior.Gaussian g -> {
                md.put(ModelKeys.PRIOR_KIND, "gaussian");
                md.put(ModelKeys.PRIOR_SIGMA, g.sigma());
                md.put("prior.mu", g.mu());
            }
            case Prior.ScaleMixture s -> {
                md.put(ModelKeys.PRIOR_KIND, "scale-mixture");
                md.put(ModelKeys.PRIOR_PI, s.pi());
                md.put(ModelKeys.PRIOR_SIGMA1, s.sigma1());
                md.put(ModelKeys.PRIOR_SIGMA2, s.sigma2());
            }
        }
        if (info.kl() != null) md.put(ModelKeys.KL, info.kl().name().toLowerCase(Locale.ROOT));
        md.put(ModelKeys.INPUT_CHANNELS, spec.inChannels());
        md.put(ModelKeys.INPUT_HEIGHT, spec.height());
        md.put(ModelKeys.INPUT_WIDTH, spec.width());
        md.put(ModelKeys.INPUT_TRANSFORM, info.inputTransform().name());
        md.put(ModelKeys.CLASSES, info.classNames());
        md.put(ModelKeys.WIDTHS, Arrays.stream(spec.widths()).mapToObj(Integer::toString).toList());
        if (info.regression() != null) {
            Regression r = info.regression();
            md.put(ModelKeys.TASK, "regression");
            md.put(ModelKeys.FEATURES, r.features());
            md.put(ModelKeys.FEATURE_MEAN, decimals(r.featureMean()));
            md.put(ModelKeys.FEATURE_SD, decimals(r.featureSd()));
            md.put(ModelKeys.TARGETS, r.targets());
            md.put(ModelKeys.TARGET_MEAN, decimals(r.targetMean()));
            md.put(ModelKeys.TARGET_SD, decimals(r.targetSd()));
        }
        md.put(ModelKeys.SEED, info.seed());
        md.put(ModelKeys.EPOCHS, info.epochs());
        if (info.dataDigest() != null) md.put(ModelKeys.DATA_DIGEST, info.dataDigest());
        md.put(ModelKeys.CREATED, Instant.now().toString());
        for (Parameter p : model.parameters()) {
            w.add(p.name() + ModelKeys.MU, p.mu());
            if (p.rho() != null) w.add(p.name() + ModelKeys.RHO, p.rho());
            if (p.mask() != null) w.add(p.name() + ModelKeys.MASK, p.mask());
        }
        if (state != null) {
            md.put(TRAIN_EPOCH, state.epoch());
            md.put(TRAIN_STEP, state.step());
            md.put(TRAIN_LR, state.lr());
            md.put(TRAIN_BEST, state.bestValidNll());
            md.put(TRAIN_BAD, state.badEpochs());
            w.add(OPT_M, model.optimizerFirstMoment());
            w.add(OPT_V, model.optimizerSecondMoment());
            if (model.priorMeans() != null) w.add(PRIOR_MEANS, model.priorMeans());
        }
        return w.write(target);
    }

    /**
     * {@link #load} for the classification paths (predict, evaluate, prune, convert, Spark scoring):
     * a regression model is refused in one line instead of being read as two classes.
     */
    public static Loaded loadClassifier(Path file) {
        Loaded loaded = load(file);
        if (loaded.info().regression() != null) {
            loaded.close();
            throw new BnnInputException(file + ": is a regression model (mean and variance outputs), not a classifier");
        }
        return loaded;
    }

    /** Whether a model file holds a regression model (its metadata says task regression); the file is validated. */
    public static boolean isRegression(Path file) {
        return ModelFile.inspect(file).metadata().string(ModelKeys.TASK).orElse("classification").equals("regression");
    }

    /** Reads a model file, validating everything; bad files are {@link BnnInputException}s naming the problem. */
    public static Loaded load(Path file) {
        try (Arena scratch = Arena.ofConfined()) {
            ModelFile f = ModelFile.read(file, scratch);
            Metadata md = f.metadata();
            ModelSpec spec = specOf(file, md);
            List<String> classes = md.requireStrings(ModelKeys.CLASSES);
            if (classes.size() != spec.numClasses()) {
                throw bad(file, "lists " + classes.size() + " class names for " + spec.numClasses() + " outputs");
            }
            // The spec comes from the header: check every parameter it implies against the
            // tensors really stored before allocating a model of that size.
            java.util.Map<String, int[]> shapes;
            try {
                shapes = spec.parameterShapes();
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw bad(file, "describes an invalid model: " + e.getMessage());
            }
            for (var e : shapes.entrySet()) checkShape(file, f.tensor(e.getKey() + ModelKeys.MU), e.getValue());
            Model model = Model.allocate(spec);
            try {
                for (Parameter p : model.parameters()) {
                    copyInto(file, f, p.name() + ModelKeys.MU, p.mu(), null);   // shape checked before allocating
                    if (p.rho() != null) copyInto(file, f, p.name() + ModelKeys.RHO, p.rho(), p.shape());
                    String maskName = p.name() + ModelKeys.MASK;
                    if (f.has(maskName)) {
                        StoredTensor st = f.tensor(maskName);
                        checkShape(file, st, p.shape());
                        float[] mask = st.toFloatTensor(scratch).toArray();
                        for (float v : mask) {
                            if (v != 0f && v != 1f) throw bad(file, "mask '" + maskName + "' holds " + v + " (masks are 0 or 1)");
                        }
                        p.setMask(mask);
                    }
                }
                Optional<TrainerState> state = Optional.empty();
                if (md.has(TRAIN_STEP)) {
                    copyInto(file, f, OPT_M, model.optimizerFirstMoment(), null);
                    copyInto(file, f, OPT_V, model.optimizerSecondMoment(), null);
                    if (f.has(PRIOR_MEANS)) {
                        StoredTensor st = f.tensor(PRIOR_MEANS);
                        if (!(spec.prior() instanceof Prior.Gaussian)) throw bad(file, "has per-weight prior means but no Gaussian prior");
                        if (st.dtype() != DType.FLOAT32 || st.elementCount() != model.meanCount()) {
                            throw bad(file, "tensor '" + PRIOR_MEANS + "' must be " + model.meanCount() + " float32 values");
                        }
                        try {
                            model.setPriorMeans(st.tensor().toArray());
                        } catch (IllegalArgumentException e) {
                            throw bad(file, "tensor '" + PRIOR_MEANS + "': " + e.getMessage());
                        }
                    }
                    try {
                        state = Optional.of(new TrainerState(Math.toIntExact(md.requireInt64(TRAIN_EPOCH)), md.requireInt64(TRAIN_STEP),
                                md.requireFloat64(TRAIN_LR), md.requireFloat64(TRAIN_BEST), Math.toIntExact(md.requireInt64(TRAIN_BAD))));
                    } catch (IllegalArgumentException | ArithmeticException e) {
                        throw bad(file, "has an invalid training state: " + e.getMessage());
                    }
                }
                model.parametersChanged();
                checkFinite(file, model);
                ModelInfo info = new ModelInfo(classes, transformOf(file, md.string(ModelKeys.INPUT_TRANSFORM).orElse("PAD")),
                        md.int64(ModelKeys.SEED).orElse(0), (int) md.int64(ModelKeys.EPOCHS).orElse(0),
                        md.string(ModelKeys.DATA_DIGEST).orElse(null), klOf(file, md.string(ModelKeys.KL).orElse(null)),
                        regressionOf(file, md, spec));
                return new Loaded(model, info, state, file, f.fileBytes());
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    private static List<String> decimals(double[] v) {
        return Arrays.stream(v).mapToObj(Double::toString).toList();
    }

    /** A regression model's columns: as many features as inputs, two outputs (mean, log-variance) per target. */
    private static Regression regressionOf(Path file, Metadata md, ModelSpec spec) {
        String task = md.string(ModelKeys.TASK).orElse("classification");
        if (task.equals("classification")) return null;
        if (!task.equals("regression")) throw bad(file, "has an unknown task '" + task + "' (expected classification or regression)");
        try {
            Regression r = new Regression(md.requireStrings(ModelKeys.FEATURES), numbers(md, ModelKeys.FEATURE_MEAN),
                    numbers(md, ModelKeys.FEATURE_SD), md.requireStrings(ModelKeys.TARGETS), numbers(md, ModelKeys.TARGET_MEAN),
                    numbers(md, ModelKeys.TARGET_SD));
            if (!r.images() && r.features().size() != spec.inputShape().size()) {
                throw new IllegalArgumentException(r.features().size() + " features for " + spec.inputShape().size() + " inputs");
            }
            if (2 * r.targets().size() != spec.numClasses()) {
                throw new IllegalArgumentException(r.targets().size() + " targets for " + spec.numClasses() + " outputs (2 per target)");
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw bad(file, "has invalid regression metadata: " + e.getMessage());
        }
    }

    private static double[] numbers(Metadata md, String key) {
        List<String> s = md.requireStrings(key);
        if (s.size() > 1 << 16) throw new IllegalArgumentException(key + " has " + s.size() + " values");
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(s.get(i));
        return v;
    }

    private static ImageTransform transformOf(Path file, String stored) {
        try {
            return ImageTransform.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(file, "has an unknown input transform '" + stored + "' (expected PAD or RESIZE)");
        }
    }

    private static KlKind klOf(Path file, String stored) {
        if (stored == null) return null;
        try {
            return KlKind.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad(file, "has an unknown KL kind '" + stored + "' (expected standard or reverse)");
        }
    }

    /** The model's structure as the file describes it. */
    static ModelSpec specOf(Path file, Metadata md) {
        try {
            String arch = md.requireString(ModelKeys.ARCH);
            Estimator est = Estimator.valueOf(md.requireString(ModelKeys.ESTIMATOR).toUpperCase(Locale.ROOT));
            Activation act = Activation.valueOf(md.requireString(ModelKeys.ACTIVATION).toUpperCase(Locale.ROOT));
            String priorKind = md.requireString(ModelKeys.PRIOR_KIND);
            Prior prior = switch (priorKind) {
                case "gaussian" -> new Prior.Gaussian(md.float64("prior.mu").orElse(0.0), md.requireFloat64(ModelKeys.PRIOR_SIGMA));
                case "scale-mixture" -> new Prior.ScaleMixture(md.requireFloat64(ModelKeys.PRIOR_PI),
                        md.requireFloat64(ModelKeys.PRIOR_SIGMA1), md.requireFloat64(ModelKeys.PRIOR_SIGMA2));
                default -> throw new IllegalArgumentException("unknown prior kind '" + priorKind + "'");
            };
            int c = intOf(md.requireInt64(ModelKeys.INPUT_CHANNELS), 1, 64, "input.channels");
            int h = intOf(md.requireInt64(ModelKeys.INPUT_HEIGHT), 1, 4096, "input.height");
            int w = intOf(md.requireInt64(ModelKeys.INPUT_WIDTH), 1, 4096, "input.width");
            List<String> ws = md.requireStrings(ModelKeys.WIDTHS);
            if (ws.size() > 64) throw new IllegalArgumentException("too many layer widths: " + ws.size());
            int[] widths = new int[ws.size()];
            for (int i = 0; i < widths.length; i++) widths[i] = intOf(Long.parseLong(ws.get(i)), 1, 1 << 16, "widths");
            int classes = md.requireStrings(ModelKeys.CLASSES).size();
            double dropout = est == Estimator.DROPOUT ? md.requireFloat64(ModelKeys.DROPOUT) : 0;
            return new ModelSpec(arch, c, h, w, classes, est, act, prior, widths, dropout);
        } catch (BnnInputException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw bad(file, "describes an invalid model: " + e.getMessage());
        }
    }

    private static int intOf(long v, int min, int max, String what) {
        if (v < min || v > max) throw new IllegalArgumentException(what + " = " + v + " is outside [" + min + ", " + max + "]");
        return (int) v;
    }

    private static void copyInto(Path file, ModelFile f, String name, Tensor dst, int[] shape) {
        StoredTensor st = f.tensor(name);
        if (st.dtype() != DType.FLOAT32) throw bad(file, "tensor '" + name + "' is " + st.dtype() + ", expected float32");
        if (shape != null) checkShape(file, st, shape);
        if (st.elementCount() != dst.size()) {
            throw bad(file, "tensor '" + name + "' has " + st.elementCount() + " values, the model needs " + dst.size());
        }
        dst.copyFrom(st.tensor());
    }

    private static void checkShape(Path file, StoredTensor st, int[] shape) {
        if (!Arrays.equals(st.shape(), shape)) {
            throw bad(file, "tensor '" + st.name() + "' has shape " + Arrays.toString(st.shape()) + ", the architecture needs "
                    + Arrays.toString(shape));
        }
    }

    private static void checkFinite(Path file, Model model) {
        List<Tensor> all = new ArrayList<>();
        all.add(model.allMu());
        if (model.allRho() != null) all.add(model.allRho());
        for (Tensor t : all) {
            float[] v = t.toArray();
            for (float x : v) {
                if (!Float.isFinite(x)) throw bad(file, "holds a NaN or infinite parameter");
            }
        }
    }

    private static BnnInputException bad(Path file, String what) {
        return new BnnInputException(file + ": " + what);
    }
}
