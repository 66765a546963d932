package io.bnn4j.job;

import io.bnn4j.Progress;
import io.bnn4j.data.CsvTable;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.uncertainty.RegressionMetrics;
import io.bnn4j.uncertainty.RegressionPredictor;
import io.bnn4j.uncertainty.plot.CoveragePlot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A regression model on a labelled CSV table (the model's features and its target column), or for
 * an image model an IDX images file with its targets' CSV beside it: RMSE,
 * Gaussian NLL under the predictive variance, and the coverage and width of the 50/80/90/95%
 * prediction intervals; optionally the coverage-against-level plot as a PNG.
 */
public record RegressionEvaluateJob(Path model, Path data, int samples, Path plot, long seed, int threads) {

    public RegressionEvaluateJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    public record Result(RegressionMetrics.Result metrics, String target, int samples, Path plot) {}

    public Result run(Progress progress) {
        try (Loaded loaded = ModelStore.load(model)) {
            Regression columns = RegressionPredictJob.regressionOf(loaded, model);
            String target = columns.targets().getFirst();
            double[] x, y;
            if (columns.images()) {
                x = RegressionPredictJob.pixels(data, loaded);
                y = RegressionTrainJob.imageTargets(data, target, x.length / loaded.model().inputShape().size());
            } else {
                CsvTable table = CsvTable.read(data);
                y = table.values(table.column(target));
                x = RegressionPredictJob.features(table, columns);
            }
            int rows = y.length;
            progress.note(String.format(Locale.ROOT, "evaluating on %,d rows of %s (%d samples each)", rows, data, samples));
            RegressionMetrics metrics = new RegressionMetrics();
            try (RegressionPredictor p = new RegressionPredictor(loaded.model(), columns, samples, 0.9, seed, threads)) {
                p.predict(x, rows, Jobs.TEST_STREAM, (pred, row) -> metrics.add(y[row], pred.mean()[0], pred.variance()[0]));
            }
            RegressionMetrics.Result r = metrics.result();
            if (plot != null) {
                try {
                    CoveragePlot.write(plot, r);
                } catch (IOException e) {
                    throw new UncheckedIOException(plot + ": cannot be written (" + e.getMessage() + ")", e);
                }
            }
            return new Result(r, target, samples, plot);
        }
    }
}
