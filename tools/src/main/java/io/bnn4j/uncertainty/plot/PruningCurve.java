package io.bnn4j.uncertainty.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static io.bnn4j.uncertainty.plot.PlotSupport.*;

/**
 * The sparsity–accuracy–ECE curve of docs/PRUNING.md (experiment code, in the plot package to
 * share its style): two stacked panels over sparsity (fraction of weights removed), test
 * accuracy (%) above and ECE below, one line per method, the unpruned model as a dashed line.
 */
public final class PruningCurve {

    /** One method's points, sparsity ascending. */
    public record Series(String label, Color color, double[] sparsity, double[] accuracy, double[] ece) {}

    public static final Color SNR = IN_COLOR, MAGNITUDE = OOD_COLOR;

    private PruningCurve() {}

    public static void write(Path png, String title, String subtitle, double baseAccuracy, double baseEce, List<Series> series)
            throws IOException {
        int width = 720, height = 760;
        BufferedImage image = newImage(width, height);
        Graphics2D g = begin(image);
        try {
            Text text = new Text(g);
            double cx = width / 2.0;
            text.draw(TITLE, TEXT_COLOR, title, cx, 28, 0, 1);
            text.draw(SUBTITLE, MUTED_TEXT, subtitle, cx, 50, 0, 1);
            LegendEntry[] entries = new LegendEntry[series.size() + 1];
            for (int i = 0; i < series.size(); i++) {
                Series s = series.get(i);
                entries[i] = new LegendEntry((gg, b) -> swatch(gg, b, s.color()), s.label());
            }
            entries[series.size()] = new LegendEntry((gg, b) -> {
                gg.setColor(AXIS_COLOR);
                gg.setStroke(ReliabilityDiagram.dashed());
                gg.draw(new Line2D.Double(b.x, b.y + b.height / 2.0, b.x + b.width, b.y + b.height / 2.0));
            }, "unpruned");
            legendRow(g, text, cx, 76, entries);

            int left = 84, right = 26, top = 100, gap = 30, bottom = 62;
            int plotW = width - left - right, panelH = (height - top - gap - bottom) / 2;
            double xStep = 0.1;
            // accuracy panel: from a nice floor below the lowest point to 100
            double lo = baseAccuracy * 100;
            for (Series s : series) for (double a : s.accuracy()) lo = Math.min(lo, a * 100);
            double yStepA = niceStep(100 - lo, 6);
            double y0 = Math.max(0, Math.floor(lo / yStepA) * yStepA);
            Axes acc = new Axes(new Rectangle(left, top, plotW, panelH), 0, 1, y0, 100);
            panel(g, text, acc, xStep, yStepA, false, baseAccuracy * 100, series, true);
            text.drawVertical(LABEL, TEXT_COLOR, "Test accuracy (%)", 24, top + panelH / 2.0);
            // ECE panel
            double hi = baseEce;
            for (Series s : series) for (double e : s.ece()) hi = Math.max(hi, e);
            double yTop = niceCeil(hi * 1.05, 5);
            Axes ece = new Axes(new Rectangle(left, top + panelH + gap, plotW, panelH), 0, 1, 0, yTop);
            panel(g, text, ece, xStep, niceStep(yTop, 5), true, baseEce, series, false);
            text.drawVertical(LABEL, TEXT_COLOR, "ECE (15 bins)", 24, top + panelH + gap + panelH / 2.0);
            text.draw(LABEL, TEXT_COLOR, "Sparsity (fraction of weights removed)", left + plotW / 2.0, height - bottom + 34, 0, -1);
        } finally {
            g.dispose();
        }
        writePngAtomically(image, png);
    }

    private static void panel(Graphics2D g, Text text, Axes a, double xStep, double yStep, boolean xLabels, double base,
                              List<Series> series, boolean accuracy) {
        grid(g, a, xStep, yStep);
        g.setColor(AXIS_COLOR);
        g.setStroke(ReliabilityDiagram.dashed());
        g.draw(new Line2D.Double(a.sx(0), a.sy(base), a.sx(1), a.sy(base)));
        for (Series s : series) {
            double[] y = accuracy ? s.accuracy() : s.ece();
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < y.length; i++) {
                double v = accuracy ? 100 * y[i] : y[i];
                if (i == 0) path.moveTo(a.sx(s.sparsity()[i]), a.sy(v));
                else path.lineTo(a.sx(s.sparsity()[i]), a.sy(v));
            }
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2f));
            g.draw(path);
            for (int i = 0; i < y.length; i++) {
                double v = accuracy ? 100 * y[i] : y[i];
                g.fill(new Ellipse2D.Double(a.sx(s.sparsity()[i]) - 3.5, a.sy(v) - 3.5, 7, 7));
            }
        }
        frameAndTicks(g, text, a, xStep, yStep, xLabels);
    }

    private static void swatch(Graphics2D g, Rectangle b, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2f));
        g.draw(new Line2D.Double(b.x, b.y + b.height / 2.0, b.x + b.width, b.y + b.height / 2.0));
        g.fill(new Ellipse2D.Double(b.x + b.width / 2.0 - 3.5, b.y + b.height / 2.0 - 3.5, 7, 7));
    }
}
