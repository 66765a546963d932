package io.bnn4j.job;

import io.bnn4j.Progress;
import io.bnn4j.data.CsvTable;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.train.RegressionTrainer;
import io.bnn4j.uncertainty.RegressionMetrics;
import io.bnn4j.uncertainty.RegressionPredictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * docs/RESULTS.md's regression table: K random 90/10 splits of a CSV table; on each, the
 * Bayesian MLP of {@code bnn train --task regression} (defaults, or the estimator, prior σ and
 * epochs given) and a frequentist MLP of the same size trained on the squared error, whose one
 * constant variance is the mean squared residual on held-out training rows. Prints one line per split and model:
 * RMSE, NLL, and the coverage of the 50/80/90/95% intervals.
 *
 * <p>Usage: RegressionSplits CSV TARGET [SPLITS=5] [ESTIMATOR=lrt] [PRIOR_SIGMA=0.1] [EPOCHS=0 (auto)] [BETA=0.1]
 */
public final class RegressionSplits {

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args[0]);
        String target = args[1];
        int splits = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Estimator est = args.length > 3 ? Estimator.of(args[3]) : Estimator.LRT;
        double prior = args.length > 4 ? Double.parseDouble(args[4]) : RegressionTrainJob.DEFAULT_PRIOR_SIGMA;
        int epochs = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        double beta = args.length > 6 ? Double.parseDouble(args[6]) : RegressionTrainJob.DEFAULT_BETA;
        List<String> lines = Files.readAllLines(csv);
        String header = lines.getFirst();
        List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        Path tmp = Files.createTempDirectory("splits");
        for (int s = 1; s <= splits; s++) {
            List<String> shuffled = new ArrayList<>(rows);
            SplittableRandom rnd = new SplittableRandom(s);
            for (int i = shuffled.size() - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                String t = shuffled.get(i);
                shuffled.set(i, shuffled.get(j));
                shuffled.set(j, t);
            }
            int nTest = Math.max(1, shuffled.size() / 10);
            Path train = tmp.resolve("train" + s + ".csv"), test = tmp.resolve("test" + s + ".csv");
            write(train, header, shuffled.subList(nTest, shuffled.size()));
            write(test, header, shuffled.subList(0, nTest));

            RegressionTrainer.Config base = RegressionTrainer.Config.defaults(epochs).withSeed(s);
            base = new RegressionTrainer.Config(epochs, base.batchSize(), base.lr(), 1, beta, true, s, 1);
            Path bayes = tmp.resolve("bayes" + s + ".bnn");
            new RegressionTrainJob(train, target, RegressionTrainJob.DEFAULT_ARCH, est, Activation.RELU, prior, base,
                    Double.parseDouble(System.getProperty("validFraction", "0")), CALIBRATE, bayes).run(Progress.SILENT, e -> {});
            RegressionEvaluateJob.Result b = new RegressionEvaluateJob(bayes, test, 20, null, 1, 1).run(Progress.SILENT);
            print("split " + s + " bayes " + est.label(), b.metrics());

            int members = Integer.getInteger("ensemble", 0);
            if (members > 0) print("split " + s + " ensemble" + members + " " + System.getProperty("members", "none"),
                    ensemble(train, test, target, members, Estimator.of(System.getProperty("members", "none")), prior, base, tmp, s));
            // the frequentist twin: the same rows held out (the first 10% of the training file), its one variance fitted there
            List<String> trainRows = shuffled.subList(nTest, shuffled.size());
            int nValid = (int) Math.round(0.1 * trainRows.size());
            Path inner = tmp.resolve("inner" + s + ".csv"), valid = tmp.resolve("valid" + s + ".csv");
            write(valid, header, trainRows.subList(0, nValid));
            write(inner, header, trainRows.subList(nValid, trainRows.size()));
            Path freq = tmp.resolve("freq" + s + ".bnn");
            new RegressionTrainJob(inner, target, RegressionTrainJob.DEFAULT_ARCH, Estimator.NONE, Activation.RELU, prior,
                    base.withLearnVariance(false), 0, false, freq).run(Progress.SILENT, e -> {});
            print("split " + s + " frequentist", constantVariance(freq, valid, test, target));
        }
    }

    /** -Dcalibrate=true -DvalidFraction=F: the Bayesian model with variance calibration on a held-out share F. */
    static final boolean CALIBRATE = Boolean.getBoolean("calibrate");

    /** The frequentist model's means with one variance: the mean squared residual on held-out rows ({@code train}). */
    static RegressionMetrics.Result constantVariance(Path model, Path train, Path test, String target) {
        try (ModelStore.Loaded l = ModelStore.load(model)) {
            var columns = l.info().regression();
            double[] sq = {0};
            CsvTable tr = CsvTable.read(train), te = CsvTable.read(test);
            double[] ytr = tr.values(tr.column(target)), yte = te.values(te.column(target));
            double[] means = new double[te.size()];
            try (RegressionPredictor p = new RegressionPredictor(l.model(), columns, 1, 0.9, 1, 1)) {
                p.predict(RegressionPredictJob.features(tr, columns), tr.size(), 0, (pred, i) -> sq[0] += Math.pow(ytr[i] - pred.mean()[0], 2));
                p.predict(RegressionPredictJob.features(te, columns), te.size(), 0, (pred, i) -> means[i] = pred.mean()[0]);
            }
            double variance = sq[0] / tr.size();
            RegressionMetrics m = new RegressionMetrics();
            for (int i = 0; i < te.size(); i++) m.add(yte[i], means[i], variance);
            return m.result();
        }
    }

    /** -Densemble=M -Dmembers=ESTIMATOR: M models from seeds, the predictive mixture of their Gaussians. */
    static RegressionMetrics.Result ensemble(Path train, Path test, String target, int members, Estimator est, double prior,
                                             RegressionTrainer.Config base, Path tmp, int split) {
        CsvTable te = CsvTable.read(test);
        double[] y = te.values(te.column(target));
        int n = y.length;
        double[] m1 = new double[n], m2 = new double[n], v = new double[n];
        for (int m = 0; m < members; m++) {
            Path file = tmp.resolve("member" + split + "-" + m + ".bnn");
            new RegressionTrainJob(train, target, RegressionTrainJob.DEFAULT_ARCH, est, Activation.RELU, prior,
                    new RegressionTrainer.Config(base.epochs(), base.batchSize(), base.lr(), 1, base.beta(), true, 1000L * split + m, 1),
                    0, false, file).run(Progress.SILENT, e -> {});
            try (ModelStore.Loaded l = ModelStore.load(file);
                 RegressionPredictor p = new RegressionPredictor(l.model(), l.info().regression(), est.stochastic() ? 20 : 1, 0.9, m, 1)) {
                p.predict(RegressionPredictJob.features(te, l.info().regression()), n, 0, (pred, i) -> {
                    m1[i] += pred.mean()[0] / members;
                    m2[i] += (pred.mean()[0] * pred.mean()[0] + pred.epistemic()[0]) / members;
                    v[i] += pred.aleatoric()[0] / members;
                });
            }
        }
        RegressionMetrics metrics = new RegressionMetrics();
        for (int i = 0; i < n; i++) metrics.add(y[i], m1[i], v[i] + m2[i] - m1[i] * m1[i]);
        return metrics.result();
    }

    static void print(String what, RegressionMetrics.Result r) {
        System.out.printf(Locale.ROOT, "%-28s rmse %8.3f  nll %7.4f  coverage 50/80/90/95 %.3f %.3f %.3f %.3f%n", what, r.rmse(), r.nll(),
                r.coverage()[0], r.coverage()[1], r.coverage()[2], r.coverage()[3]);
    }

    static void write(Path file, String header, List<String> rows) throws IOException {
        List<String> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        Files.write(file, all);
    }
}
