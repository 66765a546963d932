package io.bnn4j.cli;

import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What survives a crash, in child JVMs killed with SIGKILL (no shutdown hook, no finally):
 * a training run killed after a checkpoint resumes to the uninterrupted run's model bit for bit;
 * a model write killed at a random moment leaves the previous file whole (or none); a write
 * that the operating system refuses (a file-size limit: the same write error as a full disk)
 * is one line on stderr, a non-zero exit and no file; lost standard output is an error too.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** The JVM command line of a child running {@code main} on this test's class path. */
    static List<String> java(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:-UsePerfData", "-Xss4m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The command's stderr lines without the JVM's own notice about incubator modules. */
    static List<String> errorLines(Path err) throws IOException {
        return Files.readAllLines(err).stream().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
    }

    static String[] trainArgs(Path sample, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", sample.toString(), "--limit", "300", "--seed", "5",
                "--threads", "2", "--pretrain-epochs", "1", "--json"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static void assertSameTensors(Path a, Path b) {
        try (ModelStore.Loaded x = ModelStore.load(a); ModelStore.Loaded y = ModelStore.load(b)) {
            assertArrayEquals(x.model().allMu().toArray(), y.model().allMu().toArray(), "μ bit for bit");
            assertArrayEquals(x.model().allRho().toArray(), y.model().allRho().toArray(), "ρ bit for bit");
        }
    }

    @Test
    void aTrainingRunKilledAfterACheckpointResumesToTheSameModel() throws Exception {
        Path sample = EndToEndTest.sample();
        Path ref = dir.resolve("ref.bnn"), ck = dir.resolve("ck.bnn"), killedOut = dir.resolve("killed.bnn"), resumed = dir.resolve("resumed.bnn");
        // the uninterrupted run (defaults but shorter: 1 + 3 epochs on 300 images)
        CliTest.Result whole = EndToEndTest.run(trainArgs(sample, "--epochs", "3", "--out", ref.toString()));
        assertEquals(0, whole.code(), whole.toString());
        // the same run in a child JVM, killed with SIGKILL as soon as its first checkpoint exists
        Path out = dir.resolve("child.out"), err = dir.resolve("child.err");
        Process p = new ProcessBuilder(java(Main.class, trainArgs(sample, "--epochs", "3", "--checkpoint", ck.toString(),
                "--out", killedOut.toString())))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ck) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(Files.exists(ck), "a checkpoint appeared: " + Files.readString(err));
        p.destroyForcibly();   // SIGKILL on Linux
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), "the child was killed, not finished");
        assertFalse(Files.exists(killedOut), "the killed run wrote no model");
        long epochsDone = Files.readAllLines(out).stream().filter(l -> l.startsWith("{\"epoch\"")).count();
        assertTrue(epochsDone < 3, "killed before its last epoch (" + epochsDone + " epoch lines)");
        // resume from whatever checkpoint the kill left: the same final model, bit for bit
        CliTest.Result rest = EndToEndTest.run(trainArgs(sample, "--epochs", "3", "--resume", ck.toString(), "--out", resumed.toString()));
        assertEquals(0, rest.code(), rest.toString());
        assertSameTensors(ref, resumed);
    }

    /** Child: writes model A, then B, then A, … to args[0] until killed. */
    public static final class WriteLoop {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withWidths(12, 32, 240, 168);   // ≈ 2 MB files
            try (Model a = Model.create(spec, 1); Model b = Model.create(spec, 2)) {
                List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
                for (long i = 0; ; i++) {
                    Model m = i % 2 == 0 ? a : b;
                    ModelStore.save(m, new ModelStore.ModelInfo(classes, io.bnn4j.data.ImageTransform.PAD, i % 2 == 0 ? 1 : 2, 1, null, io.bnn4j.bayes.KlKind.STANDARD), null, target);
                    System.out.println("wrote " + i);
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void aModelWriteKilledAtAnyMomentLeavesTheOldFileWholeOrNone() throws Exception {
        Path target = dir.resolve("m.bnn");
        Random r = new Random(11);
        int sawWhole = 0;
        for (int round = 0; round < 4; round++) {
            Path out = dir.resolve("loop" + round + ".out");
            Process p = new ProcessBuilder(java(WriteLoop.class, target.toString())).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // wait for the first write of this child, then kill it at a random point of a later one
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.size(out) == 0 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
            Thread.sleep(r.nextInt(400));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(target), "a completed write left its file");
            try (ModelStore.Loaded l = ModelStore.load(target)) {
                long seed = l.info().seed();
                assertTrue(seed == 1 || seed == 2, "a whole model A or B, seed " + seed);
                try (Model want = Model.create(l.model().spec(), seed)) {
                    assertArrayEquals(want.allMu().toArray(), l.model().allMu().toArray(), "round " + round);
                }
                sawWhole++;
            }
        }
        assertEquals(4, sawWhole);
        // a write in flight leaves at most its own hidden temporary file, never a partial m.bnn
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertTrue(name.equals("m.bnn") || name.startsWith("loop") || (name.startsWith(".m.bnn.") && name.endsWith(".tmp")),
                        "unexpected file " + name);
            }
        }
    }

    /** Runs the CLI in a child whose file-size limit (ulimit -f, in KiB) makes big writes fail like a full disk. */
    static Process limited(int kib, Path out, Path err, String... args) throws IOException {
        StringBuilder cmd = new StringBuilder("ulimit -f " + kib + " && exec");
        for (String a : java(Main.class, args)) cmd.append(' ').append(quote(a));
        return new ProcessBuilder("bash", "-c", cmd.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void aWriteTheDiskRefusesIsOneLineANonZeroExitAndNoFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new File("/bin/bash").canExecute(), "needs bash for ulimit");
        Path sample = EndToEndTest.sample();
        Path model = dir.resolve("m.bnn"), out = dir.resolve("o"), err = dir.resolve("e");
        // LeNet-5's model file is ≈ 500 kB: a 64 KiB limit refuses it
        Process p = limited(64, out, err, trainArgs(sample, "--epochs", "1", "--out", model.toString()));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        List<String> lines = errorLines(err);
        assertEquals(2, p.exitValue(), String.join("\n", lines));
        // stderr holds the progress lines, then the error: one line, the last
        List<String> errors = lines.stream().filter(l -> l.startsWith("bnn")).toList();
        assertEquals(1, errors.size(), "one error line: " + lines);
        assertEquals(errors.getFirst(), lines.getLast());
        assertTrue(errors.getFirst().startsWith("bnn train: " + model + ": cannot be written"), errors.getFirst());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(List.of("e", "o"), names, "no model and no temporary file left");
        }
    }

    @Test
    void lostStandardOutputIsAnErrorNotASilentSuccess() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        Path err = dir.resolve("e");
        Process p = new ProcessBuilder(java(Main.class, "info", "--help")).redirectOutput(new File("/dev/full"))
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = errorLines(err);
        assertEquals(1, p.exitValue(), String.join("\n", lines));
        assertEquals(1, lines.size(), "one line: " + lines);
        assertTrue(lines.getFirst().contains("cannot write to the standard output"), lines.getFirst());
    }
}
