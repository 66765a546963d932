package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.data.CsvTable;
import io.bnn4j.data.IdxFiles;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.uncertainty.Predictor;
import io.bnn4j.uncertainty.RegressionPredictor;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Predicts every row of CSV files with a regression model: the mean, the aleatoric and epistemic
 * variances, their sum and the central prediction interval at {@code level}. A CSV file needs the
 * model's feature columns (by name, in any order; other columns are ignored); an image model takes
 * IDX images files (row = image index).
 *
 * @param samples T Monte-Carlo samples (≥ 2 for an epistemic part)
 */
public record RegressionPredictJob(Path model, int samples, double level, List<Path> inputs, long seed, int threads) {

    public static final double DEFAULT_LEVEL = 0.9;

    public RegressionPredictJob {
        Objects.requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("the interval level must be in (0, 1), got " + level);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** One row's prediction (row counts data rows from 0); {@code target} is the predicted column. */
    public record Item(Path input, int row, String target, RegressionPredictor.Prediction prediction) {}

    public void run(Progress progress, Consumer<Item> out) {
        try (Loaded loaded = ModelStore.load(model)) {
            Regression columns = regressionOf(loaded, model);
            try (RegressionPredictor p = new RegressionPredictor(loaded.model(), columns, samples, level, seed, threads)) {
                for (Path input : inputs) {
                    double[] x = columns.images() ? pixels(input, loaded) : features(CsvTable.read(input), columns);
                    int rows = x.length / loaded.model().inputShape().size();
                    progress.start(input.getFileName().toString(), rows);
                    // the file's noise: its own streams, keyed by its name
                    p.predict(x, rows, Math.floorMod(Predictor.rowKey(input.getFileName().toString()), 1L << 40), (pred, row) -> {
                        out.accept(new Item(input, row, columns.targets().getFirst(), pred));
                        progress.advance(1);
                    });
                    progress.done();
                }
            }
        }
    }

    static Regression regressionOf(Loaded loaded, Path model) {
        Regression r = loaded.info().regression();
        if (r == null) throw new BnnInputException(model + ": is a classifier; this takes a regression model (bnn train --task regression)");
        return r;
    }

    /** An image model's inputs: every image of an IDX images file, fitted with the model's transform, n × C·H·W. */
    static double[] pixels(Path input, Loaded loaded) {
        if (!IdxFiles.isImagesFile(input)) throw new BnnInputException(input + ": an image regression model takes IDX images files");
        float[] x = Jobs.pixels(IdxFiles.readImages(input), loaded.model().inputShape(), loaded.info().inputTransform(), input);
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /** The model's feature columns of every row, n × F row-major. */
    static double[] features(CsvTable table, Regression columns) {
        int f = columns.features().size();
        int[] cols = new int[f];
        for (int j = 0; j < f; j++) cols[j] = table.column(columns.features().get(j));
        double[] x = new double[table.size() * f];
        for (int r = 0; r < table.size(); r++) for (int j = 0; j < f; j++) x[r * f + j] = table.rows()[r][cols[j]];
        return x;
    }
}
