package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Prior;
import io.bnn4j.data.CsvTable;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.IdxFiles;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.io.ModelStore.ModelInfo;
import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.RegressionTrainer;
import io.bnn4j.uncertainty.VarianceScaling;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Trains a Bayesian network with a Gaussian output (mean and log-variance): an MLP on a CSV table,
 * the target column against every other column, both standardised with statistics stored in the
 * model file; or a CNN on the images of an IDX file, the target from the CSV beside it
 * ({@link #targetsOf}; the images zero-padded to 32×32, the target standardised).
 *
 * <p>With {@code validFraction} > 0 a seeded random share of the rows is held out (tables of at
 * least 20 rows); with {@code calibrate} the aleatoric variance is then rescaled by one factor
 * fitted on them ({@link VarianceScaling}), the regression twin of the classifiers' temperature.
 *
 * @param arch   "mlp" or "mlp:H1,H2,..." for a table; an image architecture for images
 * @param config its epochs 0 means {@link #autoEpochs}
 */
public record RegressionTrainJob(Path data, String target, String arch, Estimator estimator, Activation activation,
                                 double priorSigma, RegressionTrainer.Config config, double validFraction, boolean calibrate, Path out) {

    public static final String DEFAULT_ARCH = "mlp:50,50";
    public static final double DEFAULT_PRIOR_SIGMA = 0.1;
    /** Optimizer steps the automatic epoch count aims at. */
    public static final int DEFAULT_STEPS = 4000;

    public RegressionTrainJob {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(estimator, "estimator");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(out, "out");
        ModelSpec.defaultWidths(ModelSpec.nameOf(arch));
        ModelSpec.widthsOf(arch);
        if (!(priorSigma > 0) || !Double.isFinite(priorSigma)) throw new IllegalArgumentException("prior sigma must be > 0, got " + priorSigma);
        if (!(validFraction >= 0 && validFraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validFraction);
    }

    public static final double DEFAULT_BETA = 0.1, DEFAULT_LR = 1e-2;
    /** The noise stream of the held-out rows' permutation. */
    static final long HOLD_OUT_STREAM = 6L << 40;
    public static final int DEFAULT_BATCH = 32;

    /**
     * The recipe of {@code bnn train --task regression} on {@code data}'s column {@code target}:
     * mlp:50,50, LRT, ReLU, prior N(0, 0.1²), β 0.1, Adam 1e-2 cosine-annealed over about 4,000
     * steps of batch 32, every row trained on, no variance calibration (docs/RESULTS.md: on the
     * diabetes data these gave the lowest NLL; calibrating on a held-out 10% made the intervals wider).
     */
    public static RegressionTrainJob of(Path data, String target, Path out) {
        return new RegressionTrainJob(data, target, DEFAULT_ARCH, Estimator.LRT, Activation.RELU, DEFAULT_PRIOR_SIGMA,
                new RegressionTrainer.Config(0, DEFAULT_BATCH, DEFAULT_LR, 1, DEFAULT_BETA, true, 1, 1), 0, false, out);
    }

    public RegressionTrainJob withConfig(RegressionTrainer.Config c) {
        return new RegressionTrainJob(data, target, arch, estimator, activation, priorSigma, c, validFraction, calibrate, out);
    }

    /** Epochs for about {@link #DEFAULT_STEPS} optimizer steps over {@code rows} rows in batches of {@code batch}. */
    public static int autoEpochs(int rows, int batch) {
        int stepsPerEpoch = (rows + batch - 1) / batch;
        return Math.max(1, (DEFAULT_STEPS + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /**
     * @param rows           the training rows (without the held-out ones)
     * @param nll            the last epoch's mean Gaussian NLL (standardised units)
     * @param varianceFactor the calibration's factor, or null when not calibrated
     */
    public record Result(Path model, int rows, List<String> features, int epochs, double nll, Double varianceFactor) {}

    public Result run(Progress progress, Consumer<RegressionTrainer.Epoch> onEpoch) {
        if (IdxFiles.isImagesFile(data)) return runImages(progress, onEpoch);
        if (!ModelSpec.nameOf(arch).equals(ModelSpec.MLP)) {
            throw new BnnInputException("a CSV table takes --arch mlp or mlp:H1,H2,... (" + arch + " is for images), got " + data);
        }
        CsvTable table = CsvTable.read(data);
        int y = table.column(target);
        int n = table.size(), f = table.columns().size() - 1;
        if (f < 1) throw new BnnInputException(data + ": has only the target column; regression needs at least one feature column");
        if (n < 2) throw new BnnInputException(data + ": has " + n + " row; regression needs at least 2");
        List<String> features = new ArrayList<>();
        int[] cols = new int[f];
        for (int c = 0, j = 0; c < table.columns().size(); c++) {
            if (c == y) continue;
            features.add(table.columns().get(c));
            cols[j++] = c;
        }
        // the held-out rows: a seeded permutation's first share
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        io.bnn4j.train.Shuffle.shuffle(order, config.seed(), HOLD_OUT_STREAM);
        int nValid = n >= 20 ? (int) Math.round(validFraction * n) : 0;
        int[] validRows = java.util.Arrays.copyOf(order, nValid);
        int[] trainRows = java.util.Arrays.copyOfRange(order, nValid, n);
        java.util.Arrays.sort(validRows);
        java.util.Arrays.sort(trainRows);
        int nTrain = trainRows.length;
        if (nTrain < 2) throw new BnnInputException(data + ": holding out " + nValid + " of " + n + " rows leaves fewer than 2 to train on");
        double[] fm = new double[f], fs = new double[f];
        double[][] rows = table.rows();
        for (int j = 0; j < f; j++) {
            double[] v = new double[nTrain];
            for (int r = 0; r < nTrain; r++) v[r] = rows[trainRows[r]][cols[j]];
            fm[j] = mean(v);
            fs[j] = sd(v, fm[j]);
        }
        double[] yv = new double[nTrain];
        for (int r = 0; r < nTrain; r++) yv[r] = rows[trainRows[r]][y];
        double tm = mean(yv), ts = sd(yv, tm);
        Regression columns = new Regression(features, fm, fs, List.of(target), new double[]{tm}, new double[]{ts});
        float[] x = new float[nTrain * f], t = new float[nTrain];
        for (int r = 0; r < nTrain; r++) {
            for (int j = 0; j < f; j++) x[r * f + j] = (float) ((rows[trainRows[r]][cols[j]] - fm[j]) / fs[j]);
            t[r] = (float) ((yv[r] - tm) / ts);
        }
        ModelSpec spec = new ModelSpec(ModelSpec.MLP, 1, 1, f, 2, estimator, activation, Prior.gaussian(priorSigma), ModelSpec.widthsOf(arch));
        String what = String.format(Locale.ROOT, "%,d rows of %s (%,d held out): %s from %d features", nTrain, data, nValid, target, f);
        ToDoubleFunction<Model> calibration = !(calibrate && nValid > 0 && config.learnVariance()) ? null : model -> {
            double[] vx = new double[nValid * f], vy = new double[nValid];
            for (int r = 0; r < nValid; r++) {
                for (int j = 0; j < f; j++) vx[r * f + j] = rows[validRows[r]][cols[j]];
                vy[r] = rows[validRows[r]][y];
            }
            VarianceScaling.Result cal = VarianceScaling.calibrate(model, columns, vx, vy, nValid,
                    model.estimator().stochastic() ? Jobs.TEST_SAMPLES : 1, config.seed(), Jobs.TEST_STREAM);
            progress.note(String.format(Locale.ROOT, "calibrated on %,d held-out rows: variance x %.3f, NLL %.4f -> %.4f",
                    cal.n(), cal.factor(), cal.nllBefore(), cal.nllAfter()));
            return cal.factor();
        };
        Fit fit = fitAndSave(spec, x, t, nTrain, columns, what, progress, onEpoch, calibration);
        return new Result(out, nTrain, features, fit.epochs(), fit.nll(), fit.factor());
    }

    private record Fit(int epochs, double nll, Double factor) {}

    /** Trains a model of {@code spec} on standardised (x, t), optionally calibrates it, and writes it with {@code columns}. */
    private Fit fitAndSave(ModelSpec spec, float[] x, float[] t, int n, Regression columns, String what, Progress progress,
                           Consumer<RegressionTrainer.Epoch> onEpoch, ToDoubleFunction<Model> calibration) {
        int batch = Math.min(config.batchSize(), n);
        int epochs = config.epochs() > 0 ? config.epochs() : autoEpochs(n, batch);
        RegressionTrainer.Config c = new RegressionTrainer.Config(epochs, batch, config.lr(), config.trainSamples(), config.beta(),
                config.learnVariance(), config.seed(), config.threads());
        progress.note(String.format(Locale.ROOT, "training %s (%s, %s) on %s, %d epochs of batch %d",
                arch, estimator.label(), activation.label(), what, epochs, batch));
        double[] last = {Double.NaN};
        Double factor = null;
        try (Model model = Model.create(spec, config.seed())) {
            RegressionTrainer.fit(model, x, t, n, c, e -> {
                last[0] = e.nll();
                onEpoch.accept(e);
            });
            if (calibration != null) factor = calibration.applyAsDouble(model);
            ModelInfo info = new ModelInfo(List.of("mean:" + target, "log_variance:" + target), ImageTransform.PAD, config.seed(), epochs,
                    null, KlKind.STANDARD, columns);
            Jobs.save(model, info, null, out);
        }
        return new Fit(epochs, last[0], factor);
    }

    /** The targets of an IDX images file: the CSV beside it, named like it with ".csv" appended, one row per image in order. */
    public static Path targetsOf(Path images) {
        return images.resolveSibling(images.getFileName() + ".csv");
    }

    /** Column {@code target} of the CSV beside an IDX images file ({@link #targetsOf}), which must have one row per image. */
    static double[] imageTargets(Path images, String target, int n) {
        Path csv = targetsOf(images);
        if (!java.nio.file.Files.exists(csv)) throw new BnnInputException(images + ": no targets beside it (expected " + csv + ")");
        CsvTable table = CsvTable.read(csv);
        if (table.size() != n) throw new BnnInputException(csv + ": has " + table.size() + " rows for the " + n + " images of " + images);
        return table.values(table.column(target));
    }

    /** Image regression: a CNN on the IDX file's images (zero-padded to 32×32), the target from the CSV beside it. */
    private Result runImages(Progress progress, Consumer<RegressionTrainer.Epoch> onEpoch) {
        if (ModelSpec.nameOf(arch).equals(ModelSpec.MLP)) {
            throw new BnnInputException(data + ": images take an image architecture (lenet5, 3conv3fc, alexnet), not " + arch);
        }
        Dataset images = IdxFiles.readImages(data);
        int n = images.size();
        double[] yv = imageTargets(data, target, n);
        double tm = mean(yv), ts = sd(yv, tm);
        Regression columns = new Regression(List.of(), new double[0], new double[0], List.of(target), new double[]{tm}, new double[]{ts});
        ModelSpec spec = new ModelSpec(ModelSpec.nameOf(arch), images.channels(), 32, 32, 2, estimator, activation, Prior.gaussian(priorSigma),
                ModelSpec.widthsOf(arch));
        float[] x = Jobs.pixels(images, spec.inputShape(), ImageTransform.PAD, data), t = new float[n];
        for (int i = 0; i < n; i++) t[i] = (float) ((yv[i] - tm) / ts);
        Fit fit = fitAndSave(spec, x, t, n, columns, String.format(Locale.ROOT, "%,d images of %s: %s", n, data, target), progress, onEpoch, null);
        return new Result(out, n, List.of(), fit.epochs(), fit.nll(), null);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double a : v) s += a;
        return s / v.length;
    }

    /** The population standard deviation; 1 for a constant column (it then only shifts). */
    static double sd(double[] v, double mean) {
        double s = 0;
        for (double a : v) s += (a - mean) * (a - mean);
        double sd = Math.sqrt(s / v.length);
        return sd > 0 ? sd : 1;
    }
}
