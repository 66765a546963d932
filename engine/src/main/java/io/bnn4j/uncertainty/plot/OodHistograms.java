package io.bnn4j.uncertainty.plot;

import io.bnn4j.uncertainty.OodMetrics;
import io.bnn4j.uncertainty.OodScore;
import io.bnn4j.uncertainty.UncertaintyScores;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static io.bnn4j.uncertainty.plot.PlotSupport.*;

/**
 * Two panels: histograms of the predictive entropy and of the mutual information of
 * in-distribution (blue) and out-of-distribution (orange) inputs, each normalized to fractions
 * of its own set (so sets of different sizes compare), with the AUROC and AUPR of the score in
 * the panel's subtitle. Entropy runs over its full range [0, ln C]; mutual information over
 * [0, a nice value above the largest observed] (it is usually far below ln C).
 */
public final class OodHistograms {

    /** The size of one panel; the PNG of {@link #write} is two panels wide. */
    public static final int PANEL_WIDTH = ReliabilityDiagram.WIDTH, HEIGHT = ReliabilityDiagram.HEIGHT;
    /** Histogram bins per panel. */
    public static final int BINS = 30;

    private OodHistograms() {}

    /** Writes both panels side by side as a PNG (2·{@value #PANEL_WIDTH}×{@value #HEIGHT}), atomically. */
    public static void write(Path png, UncertaintyScores in, UncertaintyScores ood, int classes) throws IOException {
        BufferedImage image = newImage(2 * PANEL_WIDTH, HEIGHT);
        Graphics2D g = begin(image);
        try {
            draw(g, new Rectangle(0, 0, 2 * PANEL_WIDTH, HEIGHT), in, ood, classes);
        } finally {
            g.dispose();
        }
        writePngAtomically(image, png);
    }

    /** Draws the two panels side by side into {@code area}. */
    public static void draw(Graphics2D g, Rectangle area, UncertaintyScores in, UncertaintyScores ood, int classes) {
        if (in.size() == 0 || ood.size() == 0) throw new IllegalArgumentException("histograms need both sets non-empty");
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1");
        int half = area.width / 2;
        double lnC = Math.log(Math.max(2, classes));
        panel(g, new Rectangle(area.x, area.y, half, area.height), "Predictive entropy", "Entropy H (nats)",
                in.entropy(), ood.entropy(), lnC, OodScore.ENTROPY, in, ood);
        double[] inMi = in.mutualInformation(), oodMi = ood.mutualInformation();
        double maxMi = 0;
        for (double v : inMi) maxMi = Math.max(maxMi, v);
        for (double v : oodMi) maxMi = Math.max(maxMi, v);
        double miRange = maxMi > 0 ? niceCeil(maxMi * 1.02, 5) : lnC;
        panel(g, new Rectangle(area.x + half, area.y, area.width - half, area.height), "Mutual information",
                "Mutual information I (nats)", inMi, oodMi, miRange, OodScore.MUTUAL_INFORMATION, in, ood);
    }

    private static void panel(Graphics2D g, Rectangle area, String title, String xLabel, double[] inV, double[] oodV,
                              double range, OodScore score, UncertaintyScores in, UncertaintyScores ood) {
        Text text = new Text(g);
        double cx = area.x + area.width / 2.0;
        text.draw(TITLE, TEXT_COLOR, title, cx, area.y + 28, 0, 1);
        double auroc = OodMetrics.auroc(inV, oodV), aupr = OodMetrics.averagePrecision(inV, oodV);
        text.draw(SUBTITLE, MUTED_TEXT, String.format(Locale.ROOT, "AUROC %.4f  ·  AUPR %.4f  (OOD = positive)", auroc, aupr),
                cx, area.y + 50, 0, 1);
        legendRow(g, text, cx, area.y + 76,
                new LegendEntry((gg, b) -> swatch(gg, b, IN_COLOR), "in-distribution (n = " + in.size() + ")"),
                new LegendEntry((gg, b) -> swatch(gg, b, OOD_COLOR), "out-of-distribution (n = " + ood.size() + ")"));

        int left = 74, right = 26, top = 96, bottom = 62;
        Rectangle px = new Rectangle(area.x + left, area.y + top, area.width - left - right, area.height - top - bottom);
        double[] fin = fractions(inV, range), fout = fractions(oodV, range);
        double maxF = 0;
        for (int b = 0; b < BINS; b++) maxF = Math.max(maxF, Math.max(fin[b], fout[b]));
        double yMax = Math.min(1.0, niceCeil(Math.max(maxF * 1.04, 1e-3), 6));   // a fraction never exceeds 1
        Axes a = new Axes(px, 0, range, 0, yMax);
        double xStep = niceStep(range, 6), yStep = niceStep(yMax, 6);

        grid(g, a, xStep, yStep);
        bars(g, a, fin, range, IN_COLOR);
        bars(g, a, fout, range, OOD_COLOR);
        outline(g, a, fin, range, IN_COLOR);
        outline(g, a, fout, range, OOD_COLOR);
        frameAndTicks(g, text, a, xStep, yStep, true);
        text.drawVertical(LABEL, TEXT_COLOR, "Fraction of inputs", area.x + 18, px.y + px.height / 2.0);
        text.draw(LABEL, TEXT_COLOR, xLabel, px.x + px.width / 2.0, px.y + px.height + 34, 0, -1);
    }

    /** Fraction of the values in each of {@link #BINS} equal bins over [0, range]; values ≥ range join the last. */
    static double[] fractions(double[] v, double range) {
        double[] f = new double[BINS];
        for (double x : v) {
            int b = (int) Math.floor(x / range * BINS);
            f[Math.max(0, Math.min(BINS - 1, b))] += 1;
        }
        for (int b = 0; b < BINS; b++) f[b] /= v.length;
        return f;
    }

    private static void bars(Graphics2D g, Axes a, double[] f, double range, Color color) {
        g.setColor(withAlpha(color, 95));
        for (int b = 0; b < BINS; b++) {
            if (f[b] == 0) continue;
            double x0 = a.sx(range * b / BINS), x1 = a.sx(range * (b + 1) / BINS), y = a.sy(f[b]);
            g.fill(new Rectangle2D.Double(x0, y, x1 - x0, a.sy(0) - y));
        }
    }

    /** The histogram's step outline, so overlapping bars stay readable. */
    private static void outline(Graphics2D g, Axes a, double[] f, double range, Color color) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(a.sx(0), a.sy(0));
        for (int b = 0; b < BINS; b++) {
            path.lineTo(a.sx(range * b / BINS), a.sy(f[b]));
            path.lineTo(a.sx(range * (b + 1) / BINS), a.sy(f[b]));
        }
        path.lineTo(a.sx(range), a.sy(0));
        g.setColor(color);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        g.draw(path);
    }

    private static void swatch(Graphics2D g, Rectangle b, Color color) {
        g.setColor(withAlpha(color, 95));
        g.fill(b);
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.draw(b);
    }
}
