package io.bnn4j.cli;

import io.bnn4j.io.ModelKeys;
import io.bnn4j.io.ModelWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/** The command line through {@link Main#commandLine()}: exit codes, one-line errors, help, info. */
class CliTest {

    @TempDir
    Path dir;

    Path model, data;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Main.commandLine(), args);
    }

    /** A small but complete LeNet-like model file. */
    static Path writeModel(Path file) throws IOException {
        float[] w = new float[6 * 25], rho = new float[6 * 25];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 4 == 0 ? 0f : 0.01f * i;
            rho[i] = -5f;
        }
        new ModelWriter().metadata(m -> m
                        .put(ModelKeys.ARCH, "lenet5").put(ModelKeys.ESTIMATOR, "lrt").put(ModelKeys.ACTIVATION, "softplus")
                        .put(ModelKeys.PRIOR_KIND, "gaussian").put(ModelKeys.PRIOR_SIGMA, 0.1)
                        .put(ModelKeys.INPUT_CHANNELS, 1L).put(ModelKeys.INPUT_HEIGHT, 32L).put(ModelKeys.INPUT_WIDTH, 32L)
                        .put(ModelKeys.INPUT_TRANSFORM, "scale01,pad28to32")
                        .put(ModelKeys.CLASSES, List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                "Shirt", "Sneaker", "Bag", "Ankle boot"))
                        .put(ModelKeys.SEED, 42L).put(ModelKeys.EPOCHS, 3L).put(ModelKeys.DATA_DIGEST, "sha256:abc")
                        .put(ModelKeys.CREATED, "2026-11-27T00:00:00Z").put("train.note", "hello"))
                .addFloats("conv1.weight.mu", w, 6, 1, 5, 5)
                .addFloats("conv1.weight.rho", rho, 6, 1, 5, 5)
                .addFloats("conv1.bias.mu", new float[]{0, 0, 0, 1, 1, 1}, 6)
                .addFloats("conv1.bias.rho", new float[]{-5, -5, -5, -5, -5, -5}, 6)
                .write(file);
        return file;
    }

    @BeforeEach
    void files() throws IOException {
        model = writeModel(dir.resolve("model.bnn"));
        data = Files.createDirectory(dir.resolve("data"));
    }

    private Set<String> listing() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    /** Exit 2, exactly one line on stderr that names the command, no stack trace, nothing on stdout. */
    static void assertOneLineBadInput(Result r, String... args) {
        String what = String.join(" ", args) + " -> " + r;
        assertEquals(2, r.code(), what);
        assertEquals(1, r.errLines().size(), what);
        assertFalse(r.err().contains("Exception"), what);
        assertFalse(r.err().contains("\tat ") || r.err().contains("at io."), what);
        assertTrue(r.err().startsWith("bnn"), what);
        assertEquals("", r.out(), what);
    }

    // ------------------------------------------------------------------ help and version

    @Test
    void helpAndVersionForRootAndEverySubcommand() {
        for (String sub : List.of("", "train", "predict", "evaluate", "prune", "info", "bench")) {
            for (String flag : List.of("--help", "--version", "-h", "-V")) {
                List<String> args = new ArrayList<>();
                if (!sub.isEmpty()) args.add(sub);
                args.add(flag);
                Result r = run(args.toArray(String[]::new));
                assertEquals(0, r.code(), args + " " + r);
                assertEquals("", r.err(), args.toString());
                if (flag.contains("V") || flag.contains("version")) assertTrue(r.out().startsWith("bnn4j "), r.out());
                else assertTrue(r.out().startsWith("Usage: bnn" + (sub.isEmpty() ? "" : " " + sub)), r.out());
            }
        }
        assertEquals(0, run().code(), "bare bnn prints usage");
        assertEquals(0, run("help", "train").code());
    }

    @Test
    void everyDesignFlagIsDeclared() {
        CommandLine cl = Main.commandLine();
        var expected = new java.util.LinkedHashMap<String, List<String>>();
        expected.put("train", List.of("--arch", "--layer", "--activation", "--data", "--epochs", "--batch-size", "--lr",
                "--train-samples", "--beta", "--kl", "--prior-sigma", "--valid-fraction", "--limit", "--seed", "--threads",
                "--out", "--json", "--checkpoint", "--resume", "--lr-schedule"));
        expected.put("predict", List.of("--model", "--samples", "--mean", "--normalization", "--json"));
        expected.put("evaluate", List.of("--model", "--data", "--ood", "--samples", "--plot", "--json"));
        expected.put("prune", List.of("--model", "--method", "--sparsity", "--data", "--fine-tune-epochs", "--out", "--json", "--scope",
                "--lr", "--beta"));
        expected.put("info", List.of());
        expected.put("bench", List.of("--model", "--arch", "--layer", "--samples", "--batch-size", "--threads", "--json"));
        expected.forEach((sub, flags) -> {
            var spec = cl.getSubcommands().get(sub).getCommandSpec();
            for (String f : flags) assertNotNull(spec.findOption(f), sub + " " + f);
        });
        assertEquals(1, cl.getSubcommands().get("predict").getCommandSpec().positionalParameters().size());
        assertEquals(1, cl.getSubcommands().get("info").getCommandSpec().positionalParameters().size());
    }

    // ------------------------------------------------------------------ bad input: exit 2, one line, no file

    @Test
    void badInputIsOneLineExitTwoAndCreatesNothing() throws IOException {
        String m = model.toString(), d = data.toString();
        String out = dir.resolve("new.bnn").toString();
        String missingDir = dir.resolve("no/such/dir/x.bnn").toString();
        String png = dir.resolve("p.png").toString();
        List<String[]> cases = List.of(
                // train
                new String[]{"train", "--data", d, "--epochs", "-1", "--out", out},
                new String[]{"train", "--data", d, "--epochs", "0", "--out", out},
                new String[]{"train", "--data", d, "--epochs", "abc", "--out", out},
                new String[]{"train", "--data", d, "--batch-size", "0", "--out", out},
                new String[]{"train", "--data", d, "--lr", "0", "--out", out},
                new String[]{"train", "--data", d, "--lr", "-0.1", "--out", out},
                new String[]{"train", "--data", d, "--lr", "NaN", "--out", out},
                new String[]{"train", "--data", d, "--lr", "Infinity", "--out", out},
                new String[]{"train", "--data", d, "--train-samples", "0", "--out", out},
                new String[]{"train", "--data", d, "--prior-sigma", "0", "--out", out},
                new String[]{"train", "--data", d, "--valid-fraction", "1", "--out", out},
                new String[]{"train", "--data", d, "--valid-fraction", "-0.1", "--out", out},
                new String[]{"train", "--data", d, "--limit", "0", "--out", out},
                new String[]{"train", "--data", d, "--threads", "0", "--out", out},
                new String[]{"train", "--data", d, "--beta", "nonsense", "--out", out},
                new String[]{"train", "--data", d, "--beta", "-1", "--out", out},
                new String[]{"train", "--data", d, "--beta", "warmup:0", "--out", out},
                new String[]{"train", "--data", d, "--arch", "resnet", "--out", out},
                new String[]{"train", "--data", d, "--layer", "mcmc", "--out", out},
                new String[]{"train", "--data", d, "--init", "bogus", "--out", out},
                new String[]{"train", "--data", d, "--init", "moped:0", "--out", out},
                new String[]{"train", "--data", d, "--init", "moped:1.5", "--out", out},
                new String[]{"train", "--data", d, "--pretrain-epochs", "0", "--out", out},
                new String[]{"train", "--data", d, "--prior-mean", "one", "--out", out},
                new String[]{"train", "--data", d, "--prior-mean", "moped", "--init", "random", "--out", out},
                new String[]{"train", "--data", d, "--batch-size", "0", "--out", out},
                new String[]{"train", "--data", d, "--batch-size", "big", "--out", out},
                new String[]{"train", "--data", d, "--calibrate", "maybe", "--out", out},
                new String[]{"train", "--data", d, "--layer", "dropout", "--dropout", "1", "--out", out},
                new String[]{"train", "--data", d, "--layer", "dropout", "--dropout", "0", "--out", out},
                new String[]{"train", "--data", d, "--activation", "tanh", "--out", out},
                new String[]{"train", "--data", d, "--kl", "sideways", "--out", out},
                new String[]{"train", "--data", d, "--lr-schedule", "exponential", "--out", out},
                new String[]{"train", "--data", d, "--out", missingDir},
                new String[]{"train", "--data", d, "--out", d},
                new String[]{"train", "--data", dir.resolve("nodata").toString(), "--out", out},
                new String[]{"train", "--data", m, "--out", out},
                new String[]{"train", "--data", d, "--out", out, "--checkpoint", missingDir},
                new String[]{"train", "--data", d, "--out", out, "--checkpoint", out},
                new String[]{"train", "--data", d, "--out", out, "--resume", dir.resolve("nockpt").toString()},
                new String[]{"train", "--data", d, "--out", out, "--bogus"},
                new String[]{"train", "--data", d, "--out", out, "extra"},
                // predict
                new String[]{"predict", "--model", m, "--samples", "0", m},
                new String[]{"predict", "--model", m, "--samples", "-3", m},
                new String[]{"predict", "--model", m, "--samples", "5", "--mean", m},
                new String[]{"predict", "--model", m, "--normalization", "sigmoid", m},
                new String[]{"predict", "--model", m},
                new String[]{"predict", m},
                new String[]{"predict", "--model", dir.resolve("missing.bnn").toString(), m},
                new String[]{"predict", "--model", d, m},
                new String[]{"predict", "--model", m, dir.resolve("missing.png").toString()},
                new String[]{"predict", "--model", m, d},
                // evaluate
                new String[]{"evaluate", "--model", m, "--data", d, "--samples", "0"},
                new String[]{"evaluate", "--model", dir.resolve("missing.bnn").toString(), "--data", d},
                new String[]{"evaluate", "--model", d, "--data", d},
                new String[]{"evaluate", "--model", m, "--data", d, "--ood", dir.resolve("noood").toString()},
                new String[]{"evaluate", "--model", m, "--data", d, "--plot", dir.resolve("plot.jpg").toString()},
                new String[]{"evaluate", "--model", m, "--data", d, "--plot", dir.resolve("no/dir/plot.png").toString()},
                new String[]{"evaluate", "--data", d},
                // prune
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "1.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--lr", "0", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--beta", "much", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "1", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "-0.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "random", "--sparsity", "0.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "l1-filter", "--scope", "layer", "--sparsity", "0.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--scope", "everything", "--sparsity", "0.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--data", d, "--fine-tune-epochs", "-1", "--out", out},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--data", d, "--out", missingDir},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--data", d, "--out", m},
                new String[]{"prune", "--model", m, "--method", "snr", "--sparsity", "0.5", "--data", d},
                new String[]{"prune", "--model", m, "--sparsity", "0.5", "--data", d, "--out", out},
                new String[]{"prune", "--model", dir.resolve("missing.bnn").toString(), "--method", "snr", "--sparsity", "0.5", "--data", d, "--out", out},
                // bench
                new String[]{"bench", "--samples", "0"},
                new String[]{"bench", "--batch-size", "0"},
                new String[]{"bench", "--threads", "0"},
                new String[]{"bench", "--arch", "vgg"},
                new String[]{"bench", "--model", m, "--arch", "lenet5"},
                new String[]{"bench", "--model", dir.resolve("missing.bnn").toString()},
                // convert
                new String[]{"convert", "--model", m},
                new String[]{"convert", "--model", m, "--delta", "2", "--out", out},
                new String[]{"convert", "--model", m, "--delta", "0", "--out", out},
                new String[]{"convert", "--model", m, "--layer", "none", "--out", out},
                new String[]{"convert", "--model", dir.resolve("missing.bnn").toString(), "--out", out},
                new String[]{"convert", "--model", m, "--out", m},
                // info and the root
                new String[]{"info"},
                new String[]{"info", m, m},
                new String[]{"frobnicate"},
                new String[]{"--bogus"});
        Set<String> before = listing();
        for (String[] args : cases) {
            Result r = run(args);
            assertOneLineBadInput(r, args);
            assertEquals(before, listing(), "no file created by " + String.join(" ", args));
        }
        assertFalse(Files.exists(Path.of(png)));
    }

    @Test
    void messagesNameTheFlagAndTheValue() {
        String d = data.toString(), out = dir.resolve("o.bnn").toString();
        assertEquals("bnn train: --epochs must be at least 1 (got -1) (see 'bnn train --help')",
                run("train", "--data", d, "--epochs", "-1", "--out", out).err().strip());
        assertTrue(run("train", "--data", d, "--arch", "resnet", "--out", out).err()
                .contains("'resnet' is not one of lenet5, 3conv3fc, alexnet"));
        assertTrue(run("train", "--data", d, "--lr", "NaN", "--out", out).err().contains("--lr must be a finite number > 0 (got NaN)"));
        assertTrue(run("prune", "--model", model.toString(), "--method", "snr", "--sparsity", "1.5", "--data", d, "--out", out)
                .err().contains("--sparsity must be in [0, 1) (got 1.5)"));
        assertTrue(run("train", "--data", d, "--out", dir.resolve("no/x.bnn").toString()).err()
                .contains("directory " + dir.resolve("no").toAbsolutePath() + " does not exist"));
        assertTrue(run("predict", "--model", data.toString(), model.toString()).err().contains("is a directory, expected a file"));
        assertTrue(run("predict", "--model", model.toString(), "--samples", "5", "--mean", model.toString()).err()
                .contains("mutually exclusive"));
    }

    // ------------------------------------------------------------------ info

    @Test
    void infoDescribesAModel() {
        Result r = run("info", model.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        String o = r.out();
        assertTrue(o.contains("architecture  lenet5"), o);
        assertTrue(o.contains("estimator     lrt"), o);
        assertTrue(o.contains("activation    softplus"), o);
        assertTrue(o.contains("prior         gaussian, sigma 0.1"), o);
        assertTrue(o.contains("input         1x32x32 (scale01,pad28to32)"), o);
        assertTrue(o.contains("classes       10: T-shirt/top, Trouser,"), o);
        // 150 + 6 means; 312 learned values; zeros: every 4th weight (38 of 150) and 3 biases.
        assertTrue(o.contains("parameters    156 means, 312 learned values (mu and rho)"), o);
        assertTrue(o.contains("sparsity      26.28% of the means are zero (41 of 156)"), o);
        assertTrue(o.contains("provenance    seed 42, 3 epochs, data sha256:abc, bnn4j "), o);
        assertTrue(o.contains("other         train.note=hello"), o);
        assertTrue(o.contains("conv1.weight.mu"), o);
        assertTrue(o.contains("6x1x5x5"), o);

        Result j = run("info", "--json", model.toString());
        assertEquals(0, j.code());
        assertEquals(1, j.out().lines().count());
        assertTrue(j.out().contains("\"means\":156"), j.out());
        assertTrue(j.out().contains("\"arch\":\"lenet5\""), j.out());
        assertTrue(j.out().contains("\"shape\":[6,1,5,5]"), j.out());
    }

    private Path corrupt(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void infoOnBadFilesIsOneLineExitTwo() throws IOException {
        byte[] good = Files.readAllBytes(model);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        byte[] newer = good.clone();
        ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
        CRC32C crc = new CRC32C();
        crc.update(newer, 0, newer.length - 4);
        ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(newer.length - 4, (int) crc.getValue());
        byte[] magic = good.clone();
        magic[1] = 'X';
        record Case(Path file, String expect) {}
        List<Case> cases = List.of(
                new Case(corrupt("empty.bnn", new byte[0]), "empty file (0 bytes)"),
                new Case(corrupt("half.bnn", Arrays.copyOf(good, good.length / 2)), "truncated at byte " + good.length / 2),
                new Case(corrupt("flipped.bnn", flipped), "checksum mismatch: the file is corrupt"),
                new Case(corrupt("magic.bnn", magic), "not a bnn4j model (bad magic)"),
                new Case(corrupt("newer.bnn", newer), "written by a newer bnn4j (format 7, this reads up to 1)"),
                new Case(dir.resolve("missing.bnn"), "no such file"),
                new Case(data, "is a directory"));
        for (Case c : cases) {
            Result r = run("info", c.file.toString());
            assertOneLineBadInput(r, "info", c.file.toString());
            assertTrue(r.err().startsWith("bnn info: " + c.file + ": "), r.err());
            assertTrue(r.err().contains(c.expect), r.err());
        }
        // Every 7th prefix (the engine's own test tries every one); one command line reused.
        CommandLine cl = Main.commandLine();
        for (int len = 0; len < good.length; len += 7) {
            Result r = run(cl, "info", corrupt("cut.bnn", Arrays.copyOf(good, len)).toString());
            assertOneLineBadInput(r, "info", "cut " + len);
        }
    }

    @Test
    void runtimeFailuresAreOneLineExitOne() {
        CommandLine cl = Main.commandLine();
        CommandLine bench = cl.getSubcommands().get("bench");
        record Case(Exception thrown, int code, String line) {}
        for (Case c : List.of(
                new Case(new IllegalStateException("the kernel exploded\n  at somewhere"), 1, "bnn bench: the kernel exploded at somewhere"),
                new Case(new NullPointerException(), 1, "bnn bench: internal error (NullPointerException); please report it"),
                new Case(new io.bnn4j.BnnInputException("image.png: 28x28x4 is not grayscale or RGB"), 2,
                        "bnn bench: image.png: 28x28x4 is not grayscale or RGB"),
                new Case(new java.io.UncheckedIOException("out.bnn: cannot be written (No space left on device)",
                        new java.io.IOException("No space left on device")), 2, "bnn bench: out.bnn: cannot be written (No space left on device)"))) {
            StringWriter err = new StringWriter();
            bench.setErr(new PrintWriter(err, true));
            assertEquals(c.code(), Main.oneLineError(c.thrown(), bench, null), c.toString());
            assertEquals(List.of(c.line()), err.toString().lines().toList());
        }
    }
}
