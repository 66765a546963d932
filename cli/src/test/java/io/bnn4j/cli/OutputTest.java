package io.bnn4j.cli;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.job.BenchJob;
import io.bnn4j.job.EvaluateJob;
import io.bnn4j.job.PredictJob;
import io.bnn4j.job.PruneJob;
import io.bnn4j.job.TrainJob;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.prune.Measurement;
import io.bnn4j.prune.PruneMethod;
import io.bnn4j.prune.PruneReport;
import io.bnn4j.prune.PruneScope;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.LrSchedule;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.uncertainty.EvaluationAccumulator;
import io.bnn4j.uncertainty.Latency;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.OodResult;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The jobs the commands build from their flags (defaults, validated values) and the exact output
 * their formatters write for engine results (JSON field names of docs/CLI.md, text). The figures
 * are made up or computed from made-up logits: these tests check plumbing and formatting; the
 * end-to-end tests run the real jobs.
 */
class OutputTest {

    @TempDir
    Path dir;

    /** The top-level keys of a flat JSON object line, in order. */
    static List<String> keys(String json) {
        List<String> keys = new ArrayList<>();
        int depth = 0;
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:|[\\[\\]{}]").matcher(json);
        while (m.find()) {
            String t = m.group();
            if (t.equals("{") || t.equals("[")) depth++;
            else if (t.equals("}") || t.equals("]")) depth--;
            else if (depth == 1) keys.add(m.group(1));
        }
        return keys;
    }

    /** Parses {@code args} and returns the subcommand's job, as its {@code call()} would run it. */
    @SuppressWarnings("unchecked")
    static <J> J job(String... args) {
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        Object command = parsed.subcommand().commandSpec().userObject();
        return (J) switch (command) {
            case TrainCommand c -> c.validate();
            case PredictCommand c -> c.validate();
            case EvaluateCommand c -> c.validate();
            case PruneCommand c -> c.validate();
            case BenchCommand c -> c.validate();
            default -> throw new AssertionError(command);
        };
    }

    @Test
    void trainWithoutFlagsIsTheEngineRecipe() throws IOException {
        Path data = Files.createDirectory(dir.resolve("d"));
        Path out = dir.resolve("m.bnn");
        TrainJob job = job("train", "--data", data.toString(), "--out", out.toString());
        TrainConfig config = TrainConfig.defaults().withSeed(Defaults.SEED).withThreads(Runtime.getRuntime().availableProcessors());
        assertEquals(TrainJob.of(data, out).withConfig(config), job, "the CLI's defaults are the engine's");

        job = job("train", "--data", data.toString(), "--out", out.toString(), "--arch", "3conv3fc", "--layer", "bbb",
                "--beta", "warmup", "--epochs", "6", "--limit", "100", "--threads", "1", "--lr-schedule", "plateau", "--lr", "0.01",
                "--init", "moped:0.5", "--prior-mean", "moped", "--pretrain-epochs", "2", "--calibrate", "none", "--kl", "reverse");
        assertEquals(ModelSpec.THREE_CONV_THREE_FC, job.arch());
        assertEquals(Estimator.BBB, job.estimator());
        assertEquals(new BetaSchedule.Warmup(3), job.config().beta(), "warmup spans half the epochs");
        assertEquals(LrSchedule.Kind.PLATEAU.of(0.01), job.config().lrSchedule());
        assertEquals(new io.bnn4j.train.Init.Moped(0.5, 2, true), job.config().init());
        assertEquals(io.bnn4j.bayes.KlKind.REVERSE, job.config().kl());
        assertEquals(100, job.limit());
        assertEquals(1, job.config().threads());
        assertFalse(job.calibrate());
    }

    @Test
    void epochLinesAndTheSummary() {
        EpochStats e = new EpochStats(1, 0.5, 0.4, 1234.5, 1.0, 0.8, 0.75, 0.6, 0, 3.5, 1000, 3e-3, false);
        String json = TrainCommand.json(e);
        assertEquals(List.of("epoch", "loss", "nll", "kl", "beta", "train_accuracy", "valid_accuracy", "valid_nll", "seconds",
                "images_per_second"), keys(json));
        assertTrue(TrainCommand.json(new EpochStats(2, Double.NaN, 0.3, 1000, 1, 0.85, 0.8, 0.55, 0, 3.4, 1100, 3e-3, false))
                .contains("\"loss\":null"), "NaN is null in JSON");
        assertTrue(TrainCommand.json(new EpochStats(1, 0.5, 0.4, 0, 0, 0.8, 0.75, 0.6, 0, 3.5, 1000, 3e-3, true))
                .startsWith("{\"phase\":\"pretrain\",\"epoch\":1,"));
        assertTrue(TrainCommand.text(e, 2).startsWith("epoch 1/2  loss 0.5000  nll 0.4000  kl 1235  beta 1.000  train acc 80.00%"),
                TrainCommand.text(e, 2));
        Path out = dir.resolve("m.bnn");
        assertEquals("{\"model\":" + quoted(out.toString()) + ",\"test_accuracy\":0.79}",
                TrainCommand.json(new TrainJob.Result(out, 0.79, null)));
        assertEquals("{\"model\":" + quoted(out.toString()) + ",\"temperature\":1.5}",
                TrainCommand.json(new TrainJob.Result(out, null, 1.5)));
        assertEquals("model written to " + out + "; test accuracy 79.00%", TrainCommand.text(new TrainJob.Result(out, 0.79, 1.5)));
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        Json.quote(b, s);
        return b.toString();
    }

    /** A prediction of 4 classes from made-up logits: T samples, or the mean weights when T is 0. */
    private static McPrediction prediction(int samples) {
        float[] logits = new float[Math.max(1, samples) * 4];
        for (int i = 0; i < logits.length; i++) logits[i] = (i % 4 == 3 ? 3f : 0f) + 0.1f * (i % 7);
        McPrediction p = new McPrediction(4, Math.max(1, samples));
        if (samples == 0) p.computeMean(logits, 0, Normalization.SOFTMAX); else p.compute(logits, 0, samples, Normalization.SOFTMAX);
        return p;
    }

    @Test
    void predictJsonHasTheDesignFieldsAndTheTableOneRowPerInput() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        Path img = Files.write(dir.resolve("a \"quoted\" name.png"), new byte[]{1});
        PredictJob job = job("predict", "--model", model.toString(), "--json", img.toString());
        assertEquals(Defaults.SAMPLES, job.samples());
        assertEquals(List.of(img), job.inputs());
        assertEquals(0, ((PredictJob) job("predict", "--model", model.toString(), "--mean", img.toString())).samples());

        String line = PredictCommand.json(new PredictJob.Item(img, null, "Dress", prediction(20)));
        assertEquals(List.of("input", "index", "predicted", "label", "confidence", "probabilities", "entropy",
                "expected_entropy", "mutual_information", "aleatoric", "epistemic", "aleatoric_per_class",
                "epistemic_per_class", "samples"), keys(line));
        assertTrue(line.startsWith("{\"input\":" + quoted(img.toString()) + ",\"index\":null,\"predicted\":3,\"label\":\"Dress\","), line);
        assertTrue(line.endsWith(",\"samples\":20}"), line);
        line = PredictCommand.json(new PredictJob.Item(Path.of("t10k.idx"), 7, "Dress", prediction(0)));
        assertTrue(line.contains("\"index\":7"), line);
        assertTrue(line.contains("\"expected_entropy\":null,\"mutual_information\":null,\"aleatoric\":null,\"epistemic\":null,"
                + "\"aleatoric_per_class\":null,\"epistemic_per_class\":null,\"samples\":0}"), "--mean: no split: " + line);

        Table t = PredictCommand.table();
        PredictCommand.row(t, new PredictJob.Item(Path.of("t10k.idx"), 7, "Dress", prediction(0)));
        PredictCommand.row(t, new PredictJob.Item(img, null, "Dress", prediction(20)));
        List<String> lines = t.lines();
        assertTrue(lines.get(0).startsWith("INPUT"), lines.toString());
        assertTrue(lines.get(1).startsWith("t10k.idx#7"), lines.toString());
        assertTrue(lines.get(1).matches(".*Dress\\s+[0-9.]+%\\s+[0-9.]+\\s+-\\s+-$"), lines.get(1));
        assertTrue(lines.get(2).matches(".*Dress\\s+[0-9.]+%(\\s+[0-9]\\.[0-9]{4}){3}$"), lines.get(2));
    }

    @Test
    void evaluateJobAndFields() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        Path data = Files.createDirectory(dir.resolve("d"));
        Path ood = Files.createDirectory(dir.resolve("ood"));
        EvaluateJob job = job("evaluate", "--model", model.toString(), "--data", data.toString(), "--samples", "5");
        assertEquals(new EvaluateJob(model, data, null, 5, null, Defaults.SEED, Runtime.getRuntime().availableProcessors()), job);
        job = job("evaluate", "--model", model.toString(), "--data", data.toString(), "--ood", "noise");
        assertEquals(Path.of("noise"), job.ood());

        EvaluationAccumulator acc = new EvaluationAccumulator(4);
        acc.add(prediction(5), 3);
        acc.add(prediction(5), 1);
        EvaluateJob.Result plain = new EvaluateJob.Result(acc.result(), null, 5, null);
        assertEquals(List.of("n", "samples", "accuracy", "nll", "brier", "ece"), keys(EvaluateCommand.json(plain)));
        assertTrue(EvaluateCommand.text(plain).contains("accuracy     50.00%"), EvaluateCommand.text(plain).toString());
        OodResult o = new OodResult(2, 50, 0.8, 0.85, 0.75, 0.7, 0.72, 0.71);
        EvaluateJob.Result withOod = new EvaluateJob.Result(acc.result(), o, 5, ood.resolve("r.png"));
        assertEquals(List.of("n", "samples", "accuracy", "nll", "brier", "ece", "ood_n", "auroc_entropy",
                "auroc_mutual_information", "auroc_confidence", "aupr_entropy"), keys(EvaluateCommand.json(withOod)));
        assertTrue(EvaluateCommand.text(withOod).contains("ood          50 examples; AUROC mutual information 0.8500, entropy 0.8000, "
                + "1 - confidence 0.7500; AUPR entropy 0.7000"), EvaluateCommand.text(withOod).toString());
    }

    @Test
    void pruneJobAndFields() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        Path data = Files.createDirectory(dir.resolve("d"));
        Path out = dir.resolve("p.bnn");
        PruneJob job = job("prune", "--model", model.toString(), "--method", "snr", "--sparsity", "0.9",
                "--data", data.toString(), "--out", out.toString());
        assertEquals(PruneMethod.SNR, job.method());
        assertEquals(PruneScope.GLOBAL, job.scope());
        assertEquals(0, job.fineTuneEpochs());
        assertEquals(new BetaSchedule.Constant(0.1), job.beta());
        assertEquals(PruneJob.DEFAULT_FINE_TUNE_LR, job.lr());
        job = job("prune", "--model", model.toString(), "--method", "l1-filter", "--sparsity", "0.5",
                "--data", data.toString(), "--out", out.toString(), "--fine-tune-epochs", "4", "--beta", "warmup");
        assertNull(job.scope());
        assertEquals(new BetaSchedule.Warmup(2), job.beta());

        Measurement before = new Measurement(1000, 2000, 0, 9000, 0.9, 0.3, 0.02, 0.8, 1.5, 10);
        Measurement after = new Measurement(100, 200, 0.9, 2000, 0.88, 0.35, 0.03, 0.7, 0.5, 10);
        PruneReport report = new PruneReport("snr", 0.9, PruneScope.GLOBAL, 0.9, 0, new int[]{6, 16}, new int[]{6, 16}, before, after);
        assertEquals(List.of("method", "sparsity", "parameters_before", "parameters_after", "accuracy_before", "accuracy_after",
                "ece_before", "ece_after", "latency_ms_before", "latency_ms_after"), keys(PruneCommand.json(new PruneJob.Result(report, out, false))));
        List<String> text = PruneCommand.text(new PruneJob.Result(report, out, false), 9000L, null).lines();
        assertTrue(text.stream().anyMatch(l -> l.matches("file bytes\\s+9,000\\s+-")), text.toString());
        assertTrue(text.stream().noneMatch(l -> l.startsWith("ood auroc")), "no OOD row unless measured: " + text);
        text = PruneCommand.text(new PruneJob.Result(report, out, true), 9000L, 2000L).lines();
        assertTrue(text.stream().anyMatch(l -> l.matches("ood auroc\\s+0\\.8000\\s+0\\.7000")), text.toString());
    }

    @Test
    void benchJobAndFields() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        BenchJob job = job("bench", "--threads", "1");
        assertEquals(new BenchJob(null, ModelSpec.LENET5, Estimator.LRT, Defaults.SAMPLES, Defaults.BATCH_SIZE, Defaults.SEED, 1,
                Latency.Plan.BENCH), job);
        job = job("bench", "--model", model.toString());
        assertNull(job.arch());
        BenchJob.Result r = new BenchJob.Result(new Latency.Result(1.25, 2, 2.5, 2000, 20), 4000, 900, 1, 20, 256, "lenet5", Estimator.LRT);
        String json = BenchCommand.json(r);
        assertEquals(List.of("predict_latency_ms_median", "predict_latency_ms_p99", "predict_images_per_second",
                "train_images_per_second", "threads", "samples", "batch_size", "arch", "layer"), keys(json));
        assertTrue(json.startsWith("{\"predict_latency_ms_median\":1.25,\"predict_latency_ms_p99\":2.5,"), json);
        assertTrue(json.contains("\"arch\":\"lenet5\",\"layer\":\"lrt\""), json);
        assertTrue(BenchCommand.text(r).lines().stream().anyMatch(l -> l.matches("predict latency, 1 image x 20 samples, p99\\s+2\\.500 ms")),
                BenchCommand.text(r).lines().toString());
    }
}
