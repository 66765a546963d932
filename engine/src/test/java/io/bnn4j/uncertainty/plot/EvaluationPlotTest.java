package io.bnn4j.uncertainty.plot;

import io.bnn4j.uncertainty.EvaluationAccumulator;
import io.bnn4j.uncertainty.EvaluationResult;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.UncertaintyScores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class EvaluationPlotTest {

    @TempDir
    Path tmp;

    /** Where to write the PNGs: -Dbnn4j.plotDir=DIR keeps them for a look, else a temporary folder. */
    private Path outDir() throws IOException {
        String keep = System.getProperty("bnn4j.plotDir");
        if (keep == null || keep.isBlank()) return tmp;
        return Files.createDirectories(Path.of(keep));
    }

    /** A synthetic 10-class model: mostly right and a little over-confident in distribution, unsure and
     *  inconsistent across samples out of distribution. */
    private record Synthetic(EvaluationResult result, UncertaintyScores in, UncertaintyScores ood) {}

    private static Synthetic synthetic(int n, long seed, double rightFraction, double marginScale) {
        int classes = 10, samples = 8;
        Random rnd = new Random(seed);
        EvaluationAccumulator acc = new EvaluationAccumulator(classes);
        UncertaintyScores in = new UncertaintyScores(), ood = new UncertaintyScores();
        McPrediction p = new McPrediction(classes, samples);
        float[] z = new float[samples * classes];
        for (int i = 0; i < n; i++) {
            int label = rnd.nextInt(classes);
            int favoured = rnd.nextDouble() < rightFraction ? label : rnd.nextInt(classes);
            double margin = 1 + marginScale * rnd.nextDouble();
            for (int t = 0; t < samples; t++)
                for (int c = 0; c < classes; c++)
                    z[t * classes + c] = (float) ((c == favoured ? margin : 0) + 0.8 * rnd.nextGaussian());
            p.compute(z, 0, samples, Normalization.SOFTMAX);
            acc.add(p, label);
            in.add(p);
        }
        for (int i = 0; i < n; i++) {
            double margin = 3 * rnd.nextDouble();
            for (int t = 0; t < samples; t++) {
                int favoured = rnd.nextInt(classes);
                for (int c = 0; c < classes; c++)
                    z[t * classes + c] = (float) ((c == favoured ? margin : 0) + 1.0 * rnd.nextGaussian());
            }
            p.compute(z, 0, samples, Normalization.SOFTMAX);
            ood.add(p);
        }
        return new Synthetic(acc.result(), in, ood);
    }

    @Test
    void reliabilityDiagramAloneIsAReadablePng() throws IOException {
        Synthetic s = synthetic(20_000, 1, 0.97, 14);   // an MNIST-like model: most examples in the top bin
        Path png = outDir().resolve("reliability.png");
        EvaluationPlot.write(png, s.result());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO could not read the PNG back");
        assertEquals(ReliabilityDiagram.WIDTH, img.getWidth());
        assertEquals(ReliabilityDiagram.HEIGHT, img.getHeight());
        assertTrue(colouredPixels(img) > 5000, "the diagram looks blank");
        assertNoTempFiles(png.getParent());
    }

    @Test
    void withOodDataTheHistogramsJoinTheDiagram() throws IOException {
        Synthetic s = synthetic(3000, 2, 0.85, 6);
        Path png = outDir().resolve("evaluation-ood.png");
        EvaluationPlot.write(png, s.result(), s.in(), s.ood());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3 * ReliabilityDiagram.WIDTH, img.getWidth());
        assertEquals(ReliabilityDiagram.HEIGHT, img.getHeight());
        // Each histogram panel has drawn something orange (OOD) and blue (in-distribution).
        for (int panel = 1; panel <= 2; panel++) {
            int x0 = panel * ReliabilityDiagram.WIDTH;
            assertTrue(countNear(img, x0, x0 + ReliabilityDiagram.WIDTH, PlotSupport.OOD_COLOR.getRGB()) > 100, "panel " + panel + " has no OOD outline");
            assertTrue(countNear(img, x0, x0 + ReliabilityDiagram.WIDTH, PlotSupport.IN_COLOR.getRGB()) > 100, "panel " + panel + " has no in-distribution outline");
        }
        OodHistograms.write(outDir().resolve("ood-histograms.png"), s.in(), s.ood(), 10);
        assertEquals(2 * OodHistograms.PANEL_WIDTH, ImageIO.read(outDir().resolve("ood-histograms.png").toFile()).getWidth());
        assertNoTempFiles(png.getParent());
    }

    @Test
    void edgeCasesStillDraw() throws IOException {
        // Nothing evaluated; a perfectly calibrated single bin; all-zero mutual information (mean weights).
        Path dir = outDir();
        EvaluationPlot.write(dir.resolve("empty.png"), new EvaluationAccumulator(10).result());
        EvaluationAccumulator one = new EvaluationAccumulator(2);
        one.add(new double[]{1, 0}, 0);
        UncertaintyScores in = new UncertaintyScores(), ood = new UncertaintyScores();
        in.add(0, 0, 1);
        ood.add(Math.log(2), 0, 0.5);
        EvaluationPlot.write(dir.resolve("tiny.png"), one.result(), in, ood);
        assertEquals(3 * ReliabilityDiagram.WIDTH, ImageIO.read(dir.resolve("tiny.png").toFile()).getWidth());
        assertThrows(IllegalArgumentException.class, () -> EvaluationPlot.write(dir.resolve("x.png"), one.result(), in, null));
        assertFalse(Files.exists(dir.resolve("x.png")));
        assertNoTempFiles(dir);
    }

    @Test
    void atomicWriteReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path png = tmp.resolve("plot.png");
        Files.writeString(png, "old contents");
        Synthetic s = synthetic(200, 3, 0.85, 6);
        EvaluationPlot.write(png, s.result());
        assertNotNull(ImageIO.read(png.toFile()));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(png), files.toList());
        }
        // A missing folder fails cleanly, creating nothing.
        Path missing = tmp.resolve("no-such-dir").resolve("plot.png");
        IOException e = assertThrows(IOException.class, () -> EvaluationPlot.write(missing, s.result()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void ticksAreNice() {
        assertEquals(0.5, PlotSupport.niceStep(2.302585, 6), 1e-12);
        assertEquals(0.02, PlotSupport.niceStep(0.1, 6), 1e-12);
        assertEquals(0.2, PlotSupport.niceStep(1.2, 6), 1e-12);     // 1.2/6 rounds to just above 0.2
        assertEquals(0.06, PlotSupport.niceCeil(0.057, 5), 1e-12);
        assertEquals("0.2", PlotSupport.tickLabel(0.2, 0.2));
        assertEquals("0.05", PlotSupport.tickLabel(0.05, 0.05));
        assertEquals("0.0", PlotSupport.tickLabel(-1e-17, 0.1));   // never "-0.0"
        assertEquals("1.2k", PlotSupport.compactCount(1234));
        assertEquals("35k", PlotSupport.compactCount(34_567));
    }

    private static long colouredPixels(BufferedImage img) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) n++;
        return n;
    }

    private static long countNear(BufferedImage img, int x0, int x1, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = x0; x < x1; x++) {
                int p = img.getRGB(x, y);
                int dr = ((p >> 16) & 255) - ((rgb >> 16) & 255), dg = ((p >> 8) & 255) - ((rgb >> 8) & 255), db = (p & 255) - (rgb & 255);
                if (dr * dr + dg * dg + db * db < 40 * 40) n++;
            }
        return n;
    }

    private static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> tmps = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), tmps);
        }
    }
}
