package io.bnn4j.spark;

import io.bnn4j.Progress;
import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.job.EvaluateJob;
import io.bnn4j.job.TrainJob;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.train.Init;
import io.bnn4j.train.TrainConfig;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Seed and flag sweeps on a cluster: one training run per row of a settings table, on the
 * executors (one thread each), each written as a model file and evaluated on the data's test
 * split. A row that cannot run (a bad setting, bad data) gets an {@code error}, not a failed job.
 *
 * <p>Settings columns (all optional but {@code seed}; absent or null = the default recipe of
 * {@code bnn train}): {@code seed} (long), {@code arch}, {@code layer}, {@code activation},
 * {@code beta} (as {@code --beta}), {@code init} (as {@code --init}), {@code epochs} (int),
 * {@code lr}, {@code prior_sigma} (double), {@code limit} (int: the first N training images).
 * The result: the settings, then {@code model}, {@code accuracy}, {@code nll}, {@code brier},
 * {@code ece}, {@code seconds}, {@code error}.
 */
public final class Sweep {

    private Sweep() {}

    public static final StructType RESULT_TYPE = new StructType(new StructField[]{
            DataTypes.createStructField("model", DataTypes.StringType, true),
            DataTypes.createStructField("accuracy", DataTypes.DoubleType, true),
            DataTypes.createStructField("nll", DataTypes.DoubleType, true),
            DataTypes.createStructField("brier", DataTypes.DoubleType, true),
            DataTypes.createStructField("ece", DataTypes.DoubleType, true),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    /**
     * Runs every row of {@code settings}.
     *
     * @param data   a dataset directory every executor can read
     * @param models a directory every executor can write; model i is {@code sweep-<row hash>.bnn}
     */
    public static Dataset<Row> run(Dataset<Row> settings, String data, String models) {
        StructType schema = settings.schema();
        if (!Arrays.asList(schema.fieldNames()).contains("seed")) throw new IllegalArgumentException("the settings need a seed column");
        StructType out = schema;
        for (StructField f : RESULT_TYPE.fields()) out = out.add(f);
        Runner runner = new Runner(data, models, List.of(schema.fieldNames()));
        return settings.map((MapFunction<Row, Row>) runner::run, Encoders.row(out));
    }

    /** One run; serialisable, sent to the executors. */
    record Runner(String data, String models, List<String> columns) implements Serializable {

        Row run(Row settings) {
            Object[] values = new Object[columns.size() + RESULT_TYPE.size()];
            for (int i = 0; i < columns.size(); i++) values[i] = settings.get(i);
            int r = columns.size();
            long start = System.nanoTime();
            try {
                TrainJob job = job(settings);
                job.run(Progress.SILENT, e -> {});
                EvaluateJob.Result ev = new EvaluateJob(job.out(), Path.of(data), null, 20, null, job.config().seed(), 1).run(Progress.SILENT);
                values[r] = job.out().toString();
                values[r + 1] = ev.evaluation().accuracy();
                values[r + 2] = ev.evaluation().nll();
                values[r + 3] = ev.evaluation().brier();
                values[r + 4] = ev.evaluation().ece();
            } catch (RuntimeException e) {
                values[r + 6] = BnnScorer.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            values[r + 5] = (System.nanoTime() - start) * 1e-9;
            return RowFactory.create(values);
        }

        TrainJob job(Row s) {
            long seed = s.getLong(s.fieldIndex("seed"));
            TrainConfig c = TrainConfig.defaults().withSeed(seed).withThreads(1);
            Integer epochs = get(s, "epochs");
            if (epochs != null) c = c.withEpochs(epochs);
            Double lr = get(s, "lr");
            if (lr != null) c = c.withLr(lr).withLrSchedule(TrainConfig.DEFAULT_LR_SCHEDULE.of(lr));
            String beta = get(s, "beta");
            if (beta != null) c = c.withBeta(BetaSchedule.parse(beta, c.epochs()));
            String init = get(s, "init");
            if (init != null) c = c.withInit(Init.parse(init, TrainConfig.DEFAULT_MOPED_DELTA, TrainConfig.DEFAULT_PRETRAIN_EPOCHS, false));
            String key = Integer.toHexString(s.hashCode()) + "-" + seed;
            Path out = Path.of(models, "sweep-" + key + ".bnn");
            try {
                Files.createDirectories(out.getParent());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(models + ": cannot be created (" + e.getMessage() + ")", e);
            }
            TrainJob base = TrainJob.of(Path.of(data), out).withConfig(c);
            String arch = get(s, "arch"), layer = get(s, "layer"), activation = get(s, "activation");
            Double prior = get(s, "prior_sigma");
            Integer limit = get(s, "limit");
            return new TrainJob(base.data(), arch != null ? arch : base.arch(), layer != null ? Estimator.of(layer) : base.estimator(),
                    activation != null ? Activation.of(activation) : base.activation(), prior != null ? prior : base.priorSigma(),
                    base.dropout(), c, limit, base.calibrate(), out, null, null);
        }

        @SuppressWarnings("unchecked")
        private <T> T get(Row s, String column) {
            int i = columns.indexOf(column);
            return i < 0 || s.isNullAt(i) ? null : (T) s.get(i);
        }
    }
}
