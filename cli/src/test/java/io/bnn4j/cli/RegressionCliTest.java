package io.bnn4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bnn train --task regression}, then predict and evaluate on its model, through the real
 * engine on a small CSV table; and the CSV reader's bad inputs: one line on stderr, exit 2.
 */
class RegressionCliTest {

    @TempDir
    Path dir;

    /** y = 2·a − b + noise growing with a; plus a constant column. */
    Path table(String name, int rows, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>(List.of("a,b,constant,y"));
        for (int i = 0; i < rows; i++) {
            double a = rnd.nextDouble(-1, 1), b = rnd.nextDouble(-1, 1);
            lines.add(a + "," + b + ",3," + (2 * a - b + (0.1 + 0.2 * (a + 1)) * rnd.nextGaussian()));
        }
        return Files.write(dir.resolve(name), lines);
    }

    @Test
    void trainPredictAndEvaluateACsvTable() throws IOException {
        Path train = table("train.csv", 300, 1), test = table("test.csv", 100, 2), model = dir.resolve("r.bnn");
        CliTest.Result r = CliTest.run("train", "--task", "regression", "--data", train.toString(), "--target", "y",
                "--arch", "mlp:16,16", "--epochs", "40", "--threads", "1", "--out", model.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(41, lines.size(), r.out());
        assertEquals(List.of("epoch", "nll", "kl", "seconds"), OutputTest.keys(lines.getFirst()));
        assertEquals("{\"model\":" + quoted(model) + ",\"rows\":300,\"features\":[\"a\",\"b\",\"constant\"],\"epochs\":40}", lines.getLast());

        r = CliTest.run("predict", "--model", model.toString(), "--json", "--interval", "0.8", test.toString());
        assertEquals(0, r.code(), r.toString());
        lines = r.out().lines().toList();
        assertEquals(100, lines.size());
        assertEquals(List.of("input", "row", "target", "mean", "aleatoric", "epistemic", "variance", "lower", "upper", "level", "samples"),
                OutputTest.keys(lines.getFirst()));
        assertTrue(lines.getFirst().contains("\"level\":0.8,\"samples\":20}"), lines.getFirst());

        Path plot = dir.resolve("coverage.png");
        r = CliTest.run("evaluate", "--model", model.toString(), "--data", test.toString(), "--json", "--plot", plot.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("n", "samples", "target", "rmse", "nll", "coverage_50", "coverage_80", "coverage_90", "coverage_95",
                "width_50", "width_80", "width_90", "width_95"), OutputTest.keys(r.out().strip()));
        double rmse = Double.parseDouble(r.out().replaceAll(".*\"rmse\":([^,]+),.*\\s*", "$1"));
        assertTrue(rmse < 0.6, "learned y = 2a - b (its noise sd is 0.1-0.5): RMSE " + rmse);
        assertTrue(Files.size(plot) > 0);

        // the classifiers' commands refuse a regression model in one line
        CliTest.Result pr = CliTest.run("prune", "--model", model.toString(), "--method", "magnitude", "--sparsity", "0.5",
                "--data", EndToEndTest.sample().toString(), "--out", dir.resolve("p.bnn").toString());
        CliTest.assertOneLineBadInput(pr, "prune a regression model");
        assertTrue(pr.err().contains("is a regression model"), pr.err());

        // a classifier's flags with a regression model, and the reverse: one line, exit 2
        CliTest.Result bad = CliTest.run("predict", "--model", model.toString(), "--mean", test.toString());
        CliTest.assertOneLineBadInput(bad, "predict --mean on a regression model");
        assertTrue(bad.err().contains("--mean does not apply to a regression model"), bad.err());
        bad = CliTest.run("train", "--task", "regression", "--data", train.toString(), "--target", "y", "--init", "random", "--out",
                dir.resolve("x.bnn").toString());
        assertTrue(bad.err().contains("--init does not apply to --task regression"), bad.err());
        assertEquals(2, bad.code());
        bad = CliTest.run("train", "--task", "regression", "--data", train.toString(), "--out", dir.resolve("x.bnn").toString());
        assertTrue(bad.err().contains("needs --target"), bad.err());
        bad = CliTest.run("train", "--task", "regression", "--data", train.toString(), "--target", "y", "--arch", "lenet5",
                "--out", dir.resolve("x.bnn").toString());
        assertTrue(bad.err().contains("takes --arch mlp"), bad.err());
        assertFalse(Files.exists(dir.resolve("x.bnn")));
    }

    @Test
    void imageRegressionFromAnIdxFileWithItsTargetsBesideIt() throws IOException {
        Path sample = EndToEndTest.sample();
        Path images = Files.copy(sample.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"));
        // the target: each image's mean pixel value (0..1), computed from the images themselves
        io.bnn4j.data.Dataset d = io.bnn4j.data.IdxFiles.readImages(images);
        int n = d.size(), size = d.channels() * d.height() * d.width();
        float[] px = new float[n * size];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        d.writeBatch(all, 0, n, java.lang.foreign.MemorySegment.ofArray(px), 0, d.channels(), d.height(), d.width(),
                io.bnn4j.data.ImageTransform.PAD);
        List<String> lines = new ArrayList<>(List.of("brightness"));
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < size; j++) s += px[i * size + j];
            lines.add(Double.toString(s / size));
        }
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz.csv"), lines);
        Path model = dir.resolve("img.bnn");
        CliTest.Result r = CliTest.run("train", "--task", "regression", "--data", images.toString(), "--target", "brightness",
                "--epochs", "4", "--threads", "1", "--out", model.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().strip().endsWith("\"rows\":" + n + ",\"features\":[],\"epochs\":4}"), r.out());
        r = CliTest.run("evaluate", "--model", model.toString(), "--data", images.toString(), "--json", "--samples", "5");
        assertEquals(0, r.code(), r.toString());
        double rmse = Double.parseDouble(r.out().replaceAll(".*\"rmse\":([^,]+),.*\s*", "$1"));
        double[] y = lines.stream().skip(1).mapToDouble(Double::parseDouble).toArray();
        double mean = java.util.Arrays.stream(y).average().orElseThrow(), sd = Math.sqrt(java.util.Arrays.stream(y).map(v -> (v - mean) * (v - mean)).average().orElseThrow());
        assertTrue(rmse < 0.7 * sd, "the CNN learned the brightness: RMSE " + rmse + " vs the targets' sd " + sd);
        r = CliTest.run("predict", "--model", model.toString(), "--json", "--samples", "3", images.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(n, r.out().lines().count());
        assertTrue(r.out().lines().skip(7).findFirst().orElseThrow().contains("\"row\":7,\"target\":\"brightness\""), r.out());
        Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz.csv"));
        r = CliTest.run("evaluate", "--model", model.toString(), "--data", images.toString());
        CliTest.assertOneLineBadInput(r, "no targets beside");
        assertTrue(r.err().contains("no targets beside it"), r.err());
    }

    private static String quoted(Path p) {
        StringBuilder b = new StringBuilder();
        Json.quote(b, p.toString());
        return b.toString();
    }

    @Test
    void badCsvFilesAreOneLineExitTwoAndWriteNothing() throws IOException {
        record Case(String name, String content, String expect) {}
        List<Case> cases = List.of(
                new Case("empty.csv", "", "is empty"),
                new Case("header.csv", "a,y\n", "has a header but no rows"),
                new Case("ragged.csv", "a,y\n1,2\n3\n", "line 3: has 1 values, the header 2 columns"),
                new Case("text.csv", "a,y\n1,2\nx,4\n", "line 3: column 'a' is not a number: 'x'"),
                new Case("nan.csv", "a,y\n1,2\nNaN,4\n", "line 3: column 'a' is not a finite number: 'NaN'"),
                new Case("dup.csv", "a,a,y\n1,2,3\n", "line 1: the header names 'a' twice"),
                new Case("blankname.csv", "a,,y\n1,2,3\n", "line 1: the header has an empty column name"),
                new Case("notarget.csv", "a,b\n1,2\n3,4\n", "has no column 'y' (columns: a, b)"),
                new Case("onlytarget.csv", "y\n1\n2\n", "has only the target column"),
                new Case("binary.csv", null, "is not UTF-8 text"));
        Set<String> before = listing();
        for (Case c : cases) {
            Path f = dir.resolve(c.name());
            if (c.content() != null) Files.writeString(f, c.content());
            else Files.write(f, new byte[]{'a', ',', 'y', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
            before.add(c.name());
            CliTest.Result r = CliTest.run("train", "--task", "regression", "--data", f.toString(), "--target", "y", "--out",
                    dir.resolve("out.bnn").toString());
            CliTest.assertOneLineBadInput(r, c.name());
            assertTrue(r.err().contains(c.expect()), c.name() + ": " + r.err());
            assertEquals(before, listing(), "nothing written for " + c.name());
        }
        CliTest.Result r = CliTest.run("train", "--task", "regression", "--data", dir.resolve("missing.csv").toString(), "--target", "y");
        CliTest.assertOneLineBadInput(r, "missing");
        r = CliTest.run("train", "--task", "regression", "--target", "y");
        CliTest.assertOneLineBadInput(r, "no --data");
        assertTrue(r.err().contains("--data FILE.csv (or an IDX images file) is required for regression"), r.err());
    }

    private Set<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(java.util.TreeSet::new));
        }
    }
}
