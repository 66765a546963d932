package io.bnn4j.cli;

import io.bnn4j.cli.Choices.Arch;
import io.bnn4j.cli.Choices.Beta;
import io.bnn4j.cli.Choices.Layer;
import io.bnn4j.cli.Choices.PruneMethod;
import io.bnn4j.cli.Choices.PruneScope;
import io.bnn4j.cli.engine.EngineBridge.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The requests the commands build (defaults, validated values) and the exact output they
 * write (JSON field names of docs/CLI.md, text), through a stand-in engine whose values are made
 * up for the test: these tests check the plumbing and formatting, not any result.
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

    @Test
    void trainPassesDefaultsAndWritesEpochLines() throws IOException {
        Path data = Files.createDirectory(dir.resolve("d"));
        AtomicReference<TrainRequest> seen = new AtomicReference<>();
        StubEngine engine = new StubEngine() {
            @Override
            public TrainSummary train(TrainRequest r, Progress progress, Consumer<EpochReport> onEpoch) {
                seen.set(r);
                onEpoch.accept(new EpochReport(1, 2, 0.5, 0.4, 1234.5, 1.0, 0.8, 0.75, 0.6, 3.5, 1000, false));
                onEpoch.accept(new EpochReport(2, 2, Double.NaN, 0.3, 1000, 1.0, 0.85, 0.8, 0.55, 3.4, 1100, false));
                return new TrainSummary(r.out(), 0.79, null);
            }
        };
        Path out = dir.resolve("m.bnn");
        CliTest.Result r = CliTest.run(Main.commandLine(engine), "train", "--data", data.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        TrainRequest q = seen.get();
        assertEquals(Arch.LENET5, q.arch());
        assertEquals(Layer.LRT, q.layer());
        assertEquals(Defaults.EPOCHS, q.epochs());
        assertEquals(io.bnn4j.train.TrainConfig.AUTO_BATCH, q.batchSize(), "--batch-size auto");
        assertEquals(3e-3, q.lr());
        assertEquals(Choices.LrScheduleChoice.COSINE, q.lrSchedule());
        assertEquals(Choices.Activation.RELU, q.activation());
        assertEquals(1, q.trainSamples());
        assertEquals(new Beta.Constant(0.1), q.beta());
        assertEquals(new io.bnn4j.train.Init.Moped(0.1, 3), q.init());
        assertTrue(q.calibrate());
        assertEquals(0.1, q.priorSigma());
        assertEquals(0.1, q.validFraction());
        assertNull(q.limit());
        assertEquals(42, q.seed());
        assertEquals(Runtime.getRuntime().availableProcessors(), q.threads());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertEquals(List.of("epoch", "loss", "nll", "kl", "beta", "train_accuracy", "valid_accuracy", "valid_nll", "seconds",
                "images_per_second"), keys(lines.get(0)));
        assertTrue(lines.get(1).contains("\"loss\":null"), "NaN is null in JSON: " + lines.get(1));
        assertEquals("{\"model\":" + quoted(out.toString()) + ",\"test_accuracy\":0.79}", lines.get(2));

        r = CliTest.run(Main.commandLine(engine), "train", "--data", data.toString(), "--out", out.toString(),
                "--arch", "3conv3fc", "--layer", "bbb", "--beta", "warmup:3", "--limit", "100", "--threads", "1", "--epochs", "2");
        assertEquals(0, r.code());
        assertEquals(Arch.THREE_CONV_THREE_FC, seen.get().arch());
        assertEquals(new Beta.Warmup(3), seen.get().beta());
        assertEquals(100, seen.get().limit());
        assertTrue(r.out().startsWith("epoch 1/2  loss 0.5000  nll 0.4000  kl 1235  beta 1.000  train acc 80.00%"), r.out());
        assertTrue(r.out().contains("model written to " + out + "; test accuracy 79.00%"), r.out());
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        Json.quote(b, s);
        return b.toString();
    }

    private static Prediction prediction(String input, Integer index, boolean mean) {
        return new Prediction(input, index, 3, "Dress", 0.9, new double[]{0.05, 0.05, 0, 0.9}, 0.39,
                mean ? null : 0.2, mean ? null : 0.19, mean ? null : 0.1, mean ? null : 0.05,
                mean ? null : new double[]{0.01, 0.02, 0, 0.07}, mean ? null : new double[]{0, 0.01, 0, 0.04}, mean ? 0 : 20);
    }

    @Test
    void predictJsonHasTheDesignFieldsAndTheTableOneRowPerInput() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        Path img = Files.write(dir.resolve("a \"quoted\" name.png"), new byte[]{1});
        AtomicReference<PredictRequest> seen = new AtomicReference<>();
        StubEngine engine = new StubEngine() {
            @Override
            public void predict(PredictRequest r, Progress progress, Consumer<Prediction> out) {
                seen.set(r);
                out.accept(prediction(r.inputs().getFirst().toString(), null, r.mean()));
                out.accept(prediction("t10k.idx", 7, r.mean()));
            }
        };
        CliTest.Result r = CliTest.run(Main.commandLine(engine), "predict", "--model", model.toString(), "--json", img.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(Defaults.SAMPLES, seen.get().samples());
        assertFalse(seen.get().mean());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size());
        assertEquals(List.of("input", "index", "predicted", "label", "confidence", "probabilities", "entropy",
                "expected_entropy", "mutual_information", "aleatoric", "epistemic", "aleatoric_per_class",
                "epistemic_per_class", "samples"), keys(lines.get(0)));
        assertTrue(lines.get(0).startsWith("{\"input\":" + quoted(img.toString()) + ",\"index\":null,\"predicted\":3,"), lines.get(0));
        assertTrue(lines.get(1).contains("\"index\":7"), lines.get(1));
        assertTrue(lines.get(1).contains("\"probabilities\":[0.05,0.05,0.0,0.9]"), lines.get(1));

        r = CliTest.run(Main.commandLine(engine), "predict", "--model", model.toString(), "--mean", img.toString());
        assertEquals(0, r.code());
        assertTrue(seen.get().mean());
        lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("INPUT"), r.out());
        assertTrue(lines.get(2).startsWith("t10k.idx#7"), r.out());
        assertTrue(lines.get(2).matches(".*Dress\\s+90\\.00%\\s+0\\.3900\\s+-\\s+-$"), lines.get(2));
    }

    @Test
    void evaluatePruneAndBenchJsonFields() throws IOException {
        Path model = CliTest.writeModel(dir.resolve("m.bnn"));
        Path data = Files.createDirectory(dir.resolve("d"));
        Path ood = Files.createDirectory(dir.resolve("ood"));
        AtomicReference<Object> seen = new AtomicReference<>();
        StubEngine engine = new StubEngine() {
            @Override
            public EvaluationReport evaluate(EvaluateRequest r, Progress progress) {
                seen.set(r);
                return new EvaluationReport(100, r.samples(), 0.9, 0.3, 0.15, 0.02,
                        r.ood() == null ? null : new OodReport(50, 0.8, 0.85, 0.75, 0.7), r.plot());
            }

            @Override
            public PruneReport prune(PruneRequest r, Progress progress) {
                seen.set(r);
                return new PruneReport(r.method().label(), r.sparsity(), 1000, 100, 0.9, 0.88, 0.02, 0.03, 1.5, 0.5,
                        0.3, 0.35, null, null, r.out());
            }

            @Override
            public BenchReport bench(BenchRequest r, Progress progress) {
                seen.set(r);
                return new BenchReport(1.25, 2.5, 4000, 900, r.threads(), r.samples(), r.batchSize(),
                        String.valueOf(r.arch()), String.valueOf(r.layer()));
            }
        };
        CliTest.Result r = CliTest.run(Main.commandLine(engine), "evaluate", "--model", model.toString(), "--data", data.toString(),
                "--json", "--samples", "5");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("n", "samples", "accuracy", "nll", "brier", "ece"), keys(r.out().strip()));
        r = CliTest.run(Main.commandLine(engine), "evaluate", "--model", model.toString(), "--data", data.toString(),
                "--json", "--ood", ood.toString(), "--plot", dir.resolve("r.png").toString());
        assertEquals(List.of("n", "samples", "accuracy", "nll", "brier", "ece", "ood_n", "auroc_entropy",
                "auroc_mutual_information", "auroc_confidence", "aupr_entropy"), keys(r.out().strip()));
        r = CliTest.run(Main.commandLine(engine), "evaluate", "--model", model.toString(), "--data", data.toString());
        assertTrue(r.out().contains("accuracy     90.00%"), r.out());

        Path out = dir.resolve("p.bnn");
        r = CliTest.run(Main.commandLine(engine), "prune", "--model", model.toString(), "--method", "snr", "--sparsity", "0.9",
                "--data", data.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        PruneRequest pr = (PruneRequest) seen.get();
        assertEquals(PruneMethod.SNR, pr.method());
        assertEquals(PruneScope.GLOBAL, pr.scope());
        assertEquals(0, pr.fineTuneEpochs());
        assertEquals(List.of("method", "sparsity", "parameters_before", "parameters_after", "accuracy_before", "accuracy_after",
                "ece_before", "ece_after", "latency_ms_before", "latency_ms_after"), keys(r.out().strip()));
        r = CliTest.run(Main.commandLine(engine), "prune", "--model", model.toString(), "--method", "l1-filter", "--sparsity", "0.5",
                "--data", data.toString(), "--out", out.toString());
        assertNull(((PruneRequest) seen.get()).scope());
        assertTrue(r.out().contains("parameters"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("file bytes\\s+[0-9,]+\\s+-")), "size of the input model, none written: " + r.out());

        r = CliTest.run(Main.commandLine(engine), "bench", "--json", "--threads", "1");
        assertEquals(0, r.code(), r.toString());
        BenchRequest br = (BenchRequest) seen.get();
        assertEquals(Arch.LENET5, br.arch());
        assertEquals(Layer.LRT, br.layer());
        assertEquals(List.of("predict_latency_ms_median", "predict_latency_ms_p99", "predict_images_per_second",
                "train_images_per_second", "threads", "samples", "batch_size", "arch", "layer"), keys(r.out().strip()));
        assertTrue(r.out().contains("\"arch\":\"lenet5\",\"layer\":\"lrt\""), r.out());
        r = CliTest.run(Main.commandLine(engine), "bench", "--model", model.toString());
        assertEquals(0, r.code(), r.toString());
        assertNull(((BenchRequest) seen.get()).arch());
    }
}
