package io.bnn4j.uncertainty.plot;

import io.bnn4j.uncertainty.EvaluationResult;
import io.bnn4j.uncertainty.ReliabilityBin;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static io.bnn4j.uncertainty.plot.PlotSupport.*;

/**
 * The reliability diagram of an {@link EvaluationResult} (after Guo et al. 2017, "On calibration
 * of modern neural networks"): for each equal-width confidence bin, a bar of the accuracy of its
 * examples, a red band for the gap between that accuracy and their mean confidence, the
 * diagonal of perfect calibration; under it a strip with the number of examples per bin (bar
 * height on a log scale, the count written above). The title gives ECE, accuracy, NLL, Brier
 * and n.
 */
public final class ReliabilityDiagram {

    /** The size of one panel, and of the PNG that {@link #write} makes. */
    public static final int WIDTH = 640, HEIGHT = 680;

    private static final Color BAR = new Color(0x1F77B4);
    private static final Color COUNT_BAR = new Color(0x9AA5B1);

    private ReliabilityDiagram() {}

    /** Writes the diagram alone as a {@value #WIDTH}×{@value #HEIGHT} PNG, atomically. */
    public static void write(Path png, EvaluationResult result) throws IOException {
        BufferedImage image = newImage(WIDTH, HEIGHT);
        Graphics2D g = begin(image);
        try {
            draw(g, new Rectangle(0, 0, WIDTH, HEIGHT), result);
        } finally {
            g.dispose();
        }
        writePngAtomically(image, png);
    }

    /** Draws the diagram into {@code area} of g (best at about {@value #WIDTH}×{@value #HEIGHT}). */
    public static void draw(Graphics2D g, Rectangle area, EvaluationResult r) {
        Text text = new Text(g);
        double cx = area.x + area.width / 2.0;
        text.draw(TITLE, TEXT_COLOR, "Reliability diagram", cx, area.y + 28, 0, 1);
        String sub = r.n() == 0 ? "no examples"
                : String.format(Locale.ROOT, "ECE %.4f  ·  accuracy %.2f%%  ·  NLL %.4f  ·  Brier %.4f  ·  n = %d",
                r.ece(), 100 * r.accuracy(), r.nll(), r.brier(), r.n());
        text.draw(SUBTITLE, MUTED_TEXT, sub, cx, area.y + 50, 0, 1);
        legendRow(g, text, cx, area.y + 76,
                new LegendEntry((gg, b) -> {
                    gg.setColor(withAlpha(BAR, 200));
                    gg.fill(b);
                }, "accuracy per bin"),
                new LegendEntry((gg, b) -> gapBox(gg, new Rectangle2D.Double(b.x, b.y, b.width, b.height)),
                        "gap to mean confidence"),
                new LegendEntry((gg, b) -> {
                    gg.setColor(AXIS_COLOR);
                    gg.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 3f}, 0f));
                    gg.draw(new Line2D.Double(b.x, b.y + b.height, b.x + b.width, b.y));
                }, "perfect calibration"));

        int left = 74, right = 26, top = 96, stripGap = 12, stripHeight = 72, bottom = 62;
        int plotW = area.width - left - right;
        int mainH = area.height - top - stripGap - stripHeight - bottom;
        Rectangle mainPx = new Rectangle(area.x + left, area.y + top, plotW, mainH);
        Rectangle stripPx = new Rectangle(area.x + left, mainPx.y + mainH + stripGap, plotW, stripHeight);
        Axes main = new Axes(mainPx, 0, 1, 0, 1);
        double step = 0.2;

        grid(g, main, step, step);
        List<ReliabilityBin> bins = r.bins();
        for (ReliabilityBin b : bins) {
            if (b.count() == 0) continue;
            double x0 = main.sx(b.lower()) + 1, x1 = main.sx(b.upper()) - 1;
            double yAcc = main.sy(b.accuracy());
            g.setColor(withAlpha(BAR, 200));
            g.fill(new Rectangle2D.Double(x0, yAcc, x1 - x0, main.sy(0) - yAcc));
            g.setColor(BAR.darker());
            g.setStroke(new BasicStroke(1f));
            g.draw(new Rectangle2D.Double(x0, yAcc, x1 - x0, main.sy(0) - yAcc));
        }
        for (ReliabilityBin b : bins) {
            if (b.count() == 0) continue;
            double x0 = main.sx(b.lower()) + 1, x1 = main.sx(b.upper()) - 1;
            double ya = main.sy(b.accuracy()), yc = main.sy(b.meanConfidence());
            gapBox(g, new Rectangle2D.Double(x0, Math.min(ya, yc), x1 - x0, Math.abs(ya - yc)));
        }
        g.setColor(AXIS_COLOR);
        g.setStroke(dashed());
        g.draw(new Line2D.Double(main.sx(0), main.sy(0), main.sx(1), main.sy(1)));
        frameAndTicks(g, text, main, step, step, false);
        text.drawVertical(LABEL, TEXT_COLOR, "Accuracy", area.x + 22, mainPx.y + mainH / 2.0);

        // Count strip: bar heights on log10(1 + n), counts written above; the top 15 px stay free for them.
        long maxCount = 0;
        for (ReliabilityBin b : bins) maxCount = Math.max(maxCount, b.count());
        double logMax = Math.log10(1 + Math.max(1, maxCount));
        double barRoom = stripHeight - 16;
        Axes strip = new Axes(stripPx, 0, 1, 0, 1);
        grid(g, strip, step, 0);
        for (ReliabilityBin b : bins) {
            if (b.count() == 0) continue;
            double x0 = strip.sx(b.lower()) + 1, x1 = strip.sx(b.upper()) - 1;
            double h = Math.max(1.5, Math.log10(1 + b.count()) / logMax * barRoom);
            double yTop = stripPx.y + stripHeight - h;
            g.setColor(COUNT_BAR);
            g.fill(new Rectangle2D.Double(x0, yTop, x1 - x0, h));
            String label = compactCount(b.count());
            if (text.width(SMALL, label) <= x1 - x0 + 6)
                text.draw(SMALL, TEXT_COLOR, label, (x0 + x1) / 2, yTop - 3, 0, 1);
        }
        frameAndTicks(g, text, strip, step, 0, true);
        text.drawVertical(TICK, TEXT_COLOR, "n (log)", area.x + 22, stripPx.y + stripHeight / 2.0);
        text.draw(LABEL, TEXT_COLOR, "Confidence (top-class mean probability)", stripPx.x + plotW / 2.0,
                stripPx.y + stripHeight + 34, 0, -1);
    }

    /**
     * The gap between accuracy and mean confidence: red hatching and a red outline, which reads
     * the same over a bar (under-confident bin) and over the background (over-confident bin).
     */
    private static void gapBox(Graphics2D g, Rectangle2D box) {
        if (box.getHeight() < 0.5) return;
        Shape savedClip = g.getClip();
        g.setColor(withAlpha(Color.WHITE, 90));
        g.fill(box);
        g.clip(box);
        g.setColor(withAlpha(GAP_COLOR, 210));
        g.setStroke(new BasicStroke(1.1f));
        double x = box.getX(), y = box.getY(), w = box.getWidth(), h = box.getHeight();
        for (double d = -h; d < w; d += 6) g.draw(new Line2D.Double(x + d, y + h, x + d + h, y));
        g.setClip(savedClip);
        g.setColor(GAP_COLOR);
        g.setStroke(new BasicStroke(1.3f));
        g.draw(box);
    }

    static BasicStroke dashed() {
        return new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 5f}, 0f);
    }
}
