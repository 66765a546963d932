package io.bnn4j.cli;

import io.bnn4j.data.IdxFiles;
import io.bnn4j.io.ModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real engine through {@link Main#commandLine()}, on the bundled sample: train (JSON
 * records, checkpoint and resume bit for bit, divergence), info, predict (IDX and PNG, Monte
 * Carlo and mean), evaluate (OOD, plot), and the bad inputs that only the engine can find.
 * Small on purpose: 200 images, batch 32, one or two epochs, few samples.
 */
class EndToEndTest {

    @TempDir
    static Path dir;

    static Path sample, model, checkpoint, resumed, t10k;
    static CliTest.Result trained;

    static CliTest.Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliTest.Result(code, out.toString(), err.toString());
    }

    static Path sample() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(DataLocator.SAMPLE);
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new AssertionError(DataLocator.SAMPLE + " not found above " + Path.of("").toAbsolutePath());
    }

    /** Small and quick, with the plain ingredients pinned (the defaults have their own test below). */
    static final String[] SMALL = {"--limit", "200", "--batch-size", "32", "--beta", "0.001", "--lr", "0.003", "--seed", "7",
            "--threads", "2", "--init", "random", "--calibrate", "none", "--activation", "softplus"};

    static String[] train(String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", sample.toString()));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** One uninterrupted 2-epoch run, and the same run cut after epoch 1 and resumed. */
    @BeforeAll
    static void trainModels() {
        sample = sample();
        t10k = sample.resolve("t10k-images-idx3-ubyte.gz");
        model = dir.resolve("model.bnn");
        checkpoint = dir.resolve("ck.bnn");
        resumed = dir.resolve("resumed.bnn");
        trained = run(train("--epochs", "2", "--lr-schedule", "constant", "--json", "--out", model.toString()));
        assertEquals(0, trained.code(), trained.toString());
        CliTest.Result first = run(train("--epochs", "1", "--lr-schedule", "constant", "--checkpoint", checkpoint.toString(), "--out", dir.resolve("one.bnn").toString()));
        assertEquals(0, first.code(), first.toString());
        CliTest.Result rest = run(train("--epochs", "2", "--lr-schedule", "constant", "--resume", checkpoint.toString(), "--out", resumed.toString()));
        assertEquals(0, rest.code(), rest.toString());
    }

    // ------------------------------------------------------------------ train

    @Test
    void trainWritesJsonRecordsAndAModelThatInfoReads() {
        List<String> lines = trained.out().lines().toList();
        assertEquals(3, lines.size(), trained.out());
        for (int e = 0; e < 2; e++) {
            String l = lines.get(e);
            assertTrue(l.startsWith("{\"epoch\":" + (e + 1) + ","), l);
            for (String f : List.of("loss", "nll", "kl", "beta", "train_accuracy", "valid_accuracy", "valid_nll", "seconds",
                    "images_per_second")) {
                assertTrue(l.contains("\"" + f + "\":"), f + " in " + l);
            }
            assertEquals(0.001, number(l, "beta"), 1e-12);
            assertTrue(number(l, "kl") > 0, l);
        }
        String last = lines.get(2);
        assertTrue(last.contains("\"model\":\"" + model + "\""), last);
        double test = number(last, "test_accuracy");   // 500 test images, 10 samples
        assertTrue(test >= 0 && test <= 1, last);
        assertFalse(trained.err().contains("Exception"), trained.err());

        CliTest.Result info = run("info", model.toString());
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("architecture  lenet5"), info.out());
        assertTrue(info.out().contains("input         1x32x32 (PAD)"), info.out());
        assertTrue(info.out().contains("classes       10: T-shirt/top, Trouser"), info.out());
        assertTrue(info.out().contains("seed 7, 2 epochs, data "), info.out());
    }

    @Test
    void learningRateScheduleFlagReachesTheTrainer() {
        Path constant = dir.resolve("constant.bnn"), cosine = dir.resolve("cosine.bnn");
        assertEquals(0, run(train("--epochs", "1", "--lr-schedule", "constant", "--out", constant.toString())).code());
        assertEquals(0, run(train("--epochs", "1", "--lr-schedule", "cosine", "--out", cosine.toString())).code());
        try (var a = ModelStore.load(constant); var b = ModelStore.load(cosine)) {
            // 180 training images in batches of 32: from the second step on, the cosine run uses a smaller lr.
            assertFalse(Arrays.equals(a.model().allMu().toArray(), b.model().allMu().toArray()), "cosine changed the updates");
        }
    }

    @Test
    void resumingACheckpointGivesTheUninterruptedModelBitForBit() {
        try (var a = ModelStore.load(model); var b = ModelStore.load(resumed); var c = ModelStore.load(checkpoint)) {
            // Every kernel's result is a function of its inputs only (no JIT-tier dependence), so the
            // resumed run must equal the uninterrupted one bit for bit, SIMD or scalar.
            assertArrayEquals(a.model().allMu().toArray(), b.model().allMu().toArray());
            assertArrayEquals(a.model().allRho().toArray(), b.model().allRho().toArray());
            assertEquals(2, b.info().epochs());
            assertEquals(1, c.trainerState().orElseThrow().epoch());
            assertFalse(Arrays.equals(a.model().allMu().toArray(), c.model().allMu().toArray()), "epoch 2 changed the weights");
        }
        // A checkpoint whose model differs from the flags: one line, exit 2.
        CliTest.Result r = run(train("--epochs", "2", "--lr-schedule", "constant", "--prior-sigma", "0.5", "--resume", checkpoint.toString(),
                "--out", dir.resolve("x.bnn").toString()));
        assertEquals(2, r.code(), r.toString());
        assertLastLine(r, "bnn train: --resume " + checkpoint + ": the checkpoint's model differs");
        assertFalse(Files.exists(dir.resolve("x.bnn")));
        // A plain model is not a checkpoint.
        r = run(train("--epochs", "3", "--lr-schedule", "constant", "--resume", model.toString(), "--out", dir.resolve("x.bnn").toString()));
        assertEquals(2, r.code(), r.toString());
        assertLastLine(r, "not a checkpoint");
    }

    @Test
    void divergenceStopsWithOneLineAndKeepsTheLastCheckpoint() throws IOException {
        Path ck = dir.resolve("diverge-ck.bnn"), out = dir.resolve("diverged.bnn");
        Files.copy(checkpoint, ck);
        byte[] before = Files.readAllBytes(ck);
        // lr 1e30: the first epoch's steps blow the weights up; the second epoch's loss is NaN.
        CliTest.Result r = run("train", "--data", sample.toString(), "--limit", "100", "--epochs", "3", "--lr", "1e30",
                "--init", "random", "--lr-schedule", "constant", "--batch-size", "256", "--activation", "softplus", "--threads", "1",
                "--checkpoint", ck.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.toString());
        assertLastLine(r, "bnn train: training diverged: loss became NaN");
        assertTrue(r.err().strip().lines().toList().getLast().contains("the last good checkpoint is " + ck), r.err());
        assertFalse(Files.exists(out), "no model written");
        assertTrue(Files.exists(ck));
        assertFalse(Arrays.equals(before, Files.readAllBytes(ck)), "epoch 1 (finite loss) wrote its checkpoint");
        try (var c = ModelStore.load(ck)) {    // the checkpoint on disk is whole and valid
            assertEquals(1, c.trainerState().orElseThrow().epoch());
        }
    }

    @Test
    void theDefaultsPretrainTheTwinAndCalibrate() {
        Path out = dir.resolve("defaults.bnn");
        CliTest.Result r = run("train", "--data", sample.toString(), "--limit", "200", "--epochs", "1", "--pretrain-epochs", "2",
                "--seed", "3", "--threads", "2", "--json", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("{\"phase\":\"pretrain\",\"epoch\":1,"), lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"phase\":\"pretrain\",\"epoch\":2,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("{\"epoch\":1,"), lines.get(2));
        assertEquals(0.1, number(lines.get(2), "beta"), 1e-12, "the default KL weight");
        double tau = number(lines.get(3), "temperature");
        assertTrue(tau >= 0.2 && tau <= 5, lines.get(3));
        assertTrue(r.err().contains("batch 16"), "180 images: the automatic batch is 16 (" + r.err() + ")");
        assertTrue(r.err().contains("calibrated on 20 validation images: temperature"), r.err());
        CliTest.Result info = run("info", out.toString());
        assertTrue(info.out().contains("activation    relu"), info.out());
    }

    @Test
    void convertTurnsAFrequentistModelIntoABayesianOne() {
        Path freq = dir.resolve("freq.bnn"), bayes = dir.resolve("converted.bnn");
        assertEquals(0, run(train("--epochs", "1", "--layer", "none", "--out", freq.toString())).code());
        CliTest.Result c = run("convert", "--model", freq.toString(), "--delta", "0.2", "--out", bayes.toString());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("converted " + freq + " to " + bayes + " (lrt, sigma = 0.2 * |w|)"), c.out());
        try (var f = ModelStore.load(freq); var b = ModelStore.load(bayes)) {
            assertArrayEquals(f.model().allMu().toArray(), b.model().allMu().toArray(), "mu = w");
            float[] w = f.model().allMu().toArray(), sigma = b.model().allSigma().toArray();
            for (int i = 0; i < w.length; i++) assertEquals(Math.max(0.2 * Math.abs(w[i]), 1e-4), sigma[i], 1e-6 + 1e-5 * sigma[i]);
            assertEquals(f.info().classNames(), b.info().classNames());
        }
        CliTest.Result p = run("predict", "--model", bayes.toString(), "--samples", "4", "--limit", "2", "--json", t10k.toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(number(p.out().lines().toList().getFirst(), "mutual_information") > 0, p.out());
        CliTest.Result again = run("convert", "--model", bayes.toString(), "--out", dir.resolve("twice.bnn").toString());
        assertEquals(2, again.code(), again.toString());
        assertLastLine(again, "is already Bayesian");
        assertFalse(Files.exists(dir.resolve("twice.bnn")));
        CliTest.Result badLayer = run("convert", "--model", freq.toString(), "--layer", "none", "--out", dir.resolve("n.bnn").toString());
        assertEquals(2, badLayer.code(), badLayer.toString());
    }

    // ------------------------------------------------------------------ predict

    @Test
    void predictIdxAndPngAsJson() throws IOException {
        Path gray = png(dir.resolve("gray.png"), 28, 28, false), rgb = png(dir.resolve("rgb.png"), 40, 30, true);
        CliTest.Result r = run("predict", "--model", model.toString(), "--samples", "5", "--limit", "3", "--json",
                t10k.toString(), gray.toString(), rgb.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());   // 3 IDX images, then 2 image files
        for (int i = 0; i < 5; i++) {
            String l = lines.get(i);
            for (String f : List.of("input", "index", "predicted", "label", "confidence", "probabilities", "entropy",
                    "expected_entropy", "mutual_information", "aleatoric", "epistemic", "aleatoric_per_class",
                    "epistemic_per_class", "samples")) {
                assertTrue(l.contains("\"" + f + "\":"), f + " in " + l);
            }
            double[] p = numbers(l, "probabilities");
            assertEquals(10, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-9, l);
            assertEquals(Arrays.stream(p).max().orElseThrow(), number(l, "confidence"), 0.0);
            assertEquals(5, (int) number(l, "samples"));
            assertTrue(number(l, "mutual_information") >= 0);
            assertEquals(10, numbers(l, "epistemic_per_class").length);
            if (i < 3) assertTrue(l.contains("\"index\":" + i + ","), l);
            else assertTrue(l.contains("\"index\":null"), l);
        }
        assertTrue(lines.get(4).contains("rgb.png"), "an RGB image is converted to the gray model, not rejected");

        CliTest.Result m = run("predict", "--model", model.toString(), "--mean", "--json", gray.toString());
        assertEquals(0, m.code(), m.toString());
        String l = m.out().strip();
        assertTrue(number(l, "entropy") >= 0, l);
        for (String f : List.of("expected_entropy", "mutual_information", "aleatoric", "epistemic", "aleatoric_per_class",
                "epistemic_per_class")) {
            assertTrue(l.contains("\"" + f + "\":null"), f + " in " + l);
        }
        assertTrue(l.contains("\"samples\":0"), l);

        CliTest.Result t = run("predict", "--model", model.toString(), "--samples", "3", "--limit", "2", t10k.toString());
        assertEquals(0, t.code(), t.toString());
        assertEquals(3, t.out().lines().count(), t.out());   // header and 2 rows
        assertTrue(t.out().contains("t10k-images-idx3-ubyte.gz#1"), t.out());
        CliTest.Result bad = run("predict", "--model", model.toString(), "--limit", "0", t10k.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--limit must be at least 1"), bad.err());
    }

    // ------------------------------------------------------------------ evaluate

    @Test
    void evaluateWithOodAndPlot() throws IOException {
        Path noise = Files.createDirectories(dir.resolve("noise"));
        Random rnd = new Random(3);
        int n = 60;
        byte[] pixels = new byte[n * 28 * 28];
        rnd.nextBytes(pixels);
        IdxFiles.writeImages(noise.resolve("train-images-idx3-ubyte"), n, 28, 28, pixels);
        IdxFiles.writeLabels(noise.resolve("train-labels-idx1-ubyte"), new int[n]);
        Path plot = dir.resolve("eval.png");
        CliTest.Result r = run("evaluate", "--model", model.toString(), "--data", sample.toString(), "--ood", noise.toString(),
                "--samples", "3", "--plot", plot.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        String l = r.out().strip();
        assertEquals(500, (int) number(l, "n"));
        assertEquals(3, (int) number(l, "samples"));
        assertEquals(60, (int) number(l, "ood_n"));
        for (String f : List.of("accuracy", "nll", "brier", "ece", "auroc_entropy", "auroc_mutual_information",
                "auroc_confidence", "aupr_entropy")) {
            double v = number(l, f);
            assertTrue(Double.isFinite(v) && v >= 0, f + " in " + l);
        }
        BufferedImage img = ImageIO.read(plot.toFile());
        assertNotNull(img);
        assertTrue(img.getWidth() > 2 * img.getHeight(), "diagram and two histograms side by side");
    }

    @Test
    void evaluateAgainstTheSyntheticOodSets() {
        for (String kind : List.of("noise", "inverted", "flipped")) {
            CliTest.Result r = run("evaluate", "--model", model.toString(), "--data", sample.toString(), "--ood", kind,
                    "--samples", "2", "--json");
            assertEquals(0, r.code(), r.toString());
            String l = r.out().strip();
            assertEquals(500, (int) number(l, "ood_n"), "as many as the test images: " + l);
            double auroc = number(l, "auroc_mutual_information");
            assertTrue(auroc >= 0 && auroc <= 1, l);
        }
        CliTest.Result text = run("evaluate", "--model", model.toString(), "--data", sample.toString(), "--ood", "noise", "--samples", "2");
        assertTrue(text.out().contains("AUROC mutual information"), "the text report leads with MI: " + text.out());
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badInputsTheEngineFindsAreOneLineExitTwo() throws IOException {
        byte[] good = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.bnn"), flipped = dir.resolve("flipped.bnn");
        Files.write(truncated, Arrays.copyOf(good, good.length / 3));
        byte[] f = good.clone();
        f[good.length / 2] ^= 0x01;
        Files.write(flipped, f);
        Path corruptPng = dir.resolve("corrupt.png");
        Path okPng = png(dir.resolve("ok.png"), 28, 28, false);
        byte[] junk = new byte[200];
        new Random(5).nextBytes(junk);
        System.arraycopy(Files.readAllBytes(okPng), 0, junk, 0, 16);   // a PNG signature and header start, then junk
        Files.write(corruptPng, junk);
        Path cifar = Files.createDirectories(dir.resolve("cifar"));
        Files.write(cifar.resolve("cifar-10-binary.tar.gz"), tarGzWithOneFile("cifar-10-batches-bin/readme.html"));
        Path labels = sample.resolve("t10k-labels-idx1-ubyte.gz");
        record Case(String[] args, String expect) {}
        List<Case> cases = List.of(
                new Case(new String[]{"predict", "--model", truncated.toString(), okPng.toString()}, "truncated"),
                new Case(new String[]{"evaluate", "--model", flipped.toString()}, "checksum mismatch"),
                new Case(new String[]{"predict", "--model", model.toString(), labels.toString()}, "is an IDX labels file"),
                new Case(new String[]{"predict", "--model", model.toString(), corruptPng.toString()}, "corrupt.png"),
                new Case(new String[]{"train", "--data", cifar.toString(), "--epochs", "1", "--out", dir.resolve("c.bnn").toString()},
                        "holds no CIFAR-10 batches"),
                new Case(new String[]{"evaluate", "--model", model.toString(), "--data", cifar.toString()}, "holds no CIFAR-10 batches"));
        for (Case c : cases) {
            CliTest.Result r = run(c.args);
            String what = String.join(" ", c.args) + " -> " + r;
            assertEquals(2, r.code(), what);
            assertEquals(1, r.errLines().size(), what);
            assertTrue(r.err().contains(c.expect), what);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what);
            assertEquals("", r.out(), what);
        }
        assertFalse(Files.exists(dir.resolve("c.bnn")));
    }

    @Test
    void truncatedStreamsExitTwoSayingHowManyImagesTheyHeld() throws IOException {
        // an IDX images file whose gzip stream is cut in the middle, after a good PNG
        byte[] gz = Files.readAllBytes(t10k);
        Path cut = dir.resolve("cut-images-idx3-ubyte.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        Path okPng = png(dir.resolve("ok2.png"), 28, 28, false);
        CliTest.Result r = run("predict", "--model", model.toString(), "--json", "--mean", okPng.toString(), cut.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().matches("(?s)bnn predict: " + Pattern.quote(cut.toString())
                + ": is truncated: .*the data ends after \\d+ of 500 images.*"), r.err());
        // the rows of the inputs before it are out already, each a whole JSON record; none of the cut file
        List<String> rows = r.out().lines().toList();
        assertEquals(1, rows.size(), r.out());
        assertTrue(rows.getFirst().startsWith("{") && rows.getFirst().endsWith("}") && rows.getFirst().contains("ok2.png"), rows.getFirst());
        // a CIFAR-10 archive cut in the middle of its test batch
        byte[] batch = new byte[40 * 3073];
        new Random(3).nextBytes(batch);
        for (int i = 0; i < 40; i++) batch[i * 3073] = (byte) (i % 10);
        var entries = new java.util.LinkedHashMap<String, byte[]>();
        entries.put("cifar-10-batches-bin/data_batch_1.bin", batch);
        entries.put("cifar-10-batches-bin/test_batch.bin", batch);
        byte[] archive = tarGz(entries);
        Path cifar = Files.createDirectories(dir.resolve("cifar-cut"));
        Files.write(cifar.resolve("cifar-10-binary.tar.gz"), Arrays.copyOf(archive, archive.length * 9 / 10));
        CliTest.Result e = run("evaluate", "--model", model.toString(), "--data", cifar.toString());
        assertEquals(2, e.code(), e.toString());
        assertEquals(1, e.errLines().size(), e.toString());
        assertTrue(e.err().contains("cifar-10-binary.tar.gz") && e.err().contains("is truncated"), e.err());
        assertEquals("", e.out());
    }

    @Test
    void pruneWritesASmallerModelThatTheOtherCommandsRead() throws Exception {
        Path pruned = dir.resolve("p.bnn");
        CliTest.Result r = run("prune", "--model", model.toString(), "--method", "snr", "--sparsity", "0.9",
                "--out", pruned.toString(), "--json", "--threads", "1");
        assertEquals(0, r.code(), r.toString());
        String json = r.out().strip();
        for (String field : List.of("\"method\":\"snr\"", "\"sparsity\":0.9", "\"parameters_before\":61706",
                "\"parameters_after\":", "\"accuracy_before\":", "\"accuracy_after\":", "\"ece_before\":", "\"ece_after\":",
                "\"latency_ms_before\":", "\"latency_ms_after\":")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertTrue(Files.size(pruned) < Files.size(model) / 2, "a 90%-pruned file stores its zeros compactly");
        try (var l = ModelStore.load(pruned)) {
            long kept = l.model().activeMeanCount();
            assertTrue(kept < 0.2 * 61706, "kept " + kept);
        }
        CliTest.Result info = run("info", pruned.toString());
        assertEquals(0, info.code(), info.toString());
        // structured: a smaller dense model
        Path small = dir.resolve("l1.bnn");
        CliTest.Result l1 = run("prune", "--model", model.toString(), "--method", "l1-filter", "--sparsity", "0.5",
                "--out", small.toString(), "--threads", "1");
        assertEquals(0, l1.code(), l1.toString());
        try (var l = ModelStore.load(small)) {
            assertArrayEquals(new int[]{3, 8, 60, 42}, l.model().spec().widths());
        }
        CliTest.Result p = run("predict", "--model", small.toString(), "--samples", "3", "--limit", "2",
                sample().resolve("t10k-images-idx3-ubyte.gz").toString());
        assertEquals(0, p.code(), p.toString());
    }

    @Test
    void fineTuningTakesTheLearningRateAndBetaFlags() {
        Path plain = dir.resolve("ft-default.bnn"), tuned = dir.resolve("ft-flags.bnn");
        String[] common = {"prune", "--model", model.toString(), "--method", "snr", "--sparsity", "0.5", "--data", sample.toString(),
                "--fine-tune-epochs", "1", "--threads", "2"};
        CliTest.Result a = run(concat(common, "--out", plain.toString()));
        assertEquals(0, a.code(), a.toString());
        CliTest.Result b = run(concat(common, "--lr", "0.003", "--beta", "0.001", "--out", tuned.toString()));
        assertEquals(0, b.code(), b.toString());
        try (var x = ModelStore.load(plain); var y = ModelStore.load(tuned)) {
            assertEquals(x.model().activeMeanCount(), y.model().activeMeanCount(), "the same weights pruned");
            assertFalse(Arrays.equals(x.model().allMu().toArray(), y.model().allMu().toArray()), "other lr and beta, other fine-tuning");
        }
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    // ------------------------------------------------------------------ helpers

    static void assertLastLine(CliTest.Result r, String expect) {
        List<String> lines = r.err().strip().lines().toList();
        assertTrue(lines.getLast().contains(expect), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    static Path png(Path file, int w, int h, boolean rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (x > w / 4 && x < 3 * w / 4 && y > h / 6) ? 200 : 0;   // a bright block on black
                img.setRGB(x, y, rgb ? (v << 16) | (v / 2 << 8) | (v / 3) : (v << 16) | (v << 8) | v);
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    static byte[] tarGz(java.util.Map<String, byte[]> entries) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(new java.util.zip.GZIPOutputStream(bytes))) {
            for (var e : entries.entrySet()) {
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] tarGzWithOneFile(String name) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            byte[] header = new byte[512], body = "hello".getBytes(), pad = new byte[512 - body.length];
            byte[] n = name.getBytes();
            System.arraycopy(n, 0, header, 0, n.length);
            put(header, 100, "0000644");
            put(header, 108, "0000000");
            put(header, 116, "0000000");
            put(header, 124, String.format("%011o", body.length));
            put(header, 136, "00000000000");
            header[156] = '0';
            put(header, 257, "ustar");
            Arrays.fill(header, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : header) sum += b & 0xFF;
            put(header, 148, String.format("%06o", sum));
            header[154] = 0;
            gz.write(header);
            gz.write(body);
            gz.write(pad);
            gz.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    private static void put(byte[] dst, int off, String s) {
        byte[] b = s.getBytes();
        System.arraycopy(b, 0, dst, off, b.length);
    }

    static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.eE+-]+|null)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
    }

    static double[] numbers(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\\[([^]]*)]").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Arrays.stream(m.group(1).split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
