package io.bnn4j.uncertainty.plot;

import io.bnn4j.uncertainty.RegressionMetrics;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static io.bnn4j.uncertainty.plot.PlotSupport.*;

/**
 * The calibration plot of regression: the coverage of the central prediction intervals (the
 * fraction of targets inside) against their level, with the diagonal a calibrated model follows.
 * Points below the diagonal: intervals too narrow (overconfident); above: too wide.
 */
public final class CoveragePlot {

    static final int WIDTH = 560, HEIGHT = 560;

    private CoveragePlot() {}

    public static void write(Path png, RegressionMetrics.Result result) throws IOException {
        writePngAtomically(render(result), png);
    }

    public static BufferedImage render(RegressionMetrics.Result r) {
        BufferedImage image = newImage(WIDTH, HEIGHT);
        Graphics2D g = begin(image);
        try {
            Text text = new Text(g);
            text.draw(TITLE, TEXT_COLOR, "Prediction-interval coverage", WIDTH / 2.0, 22, 0, -1);
            text.draw(SUBTITLE, MUTED_TEXT, String.format(Locale.ROOT, "%,d targets, RMSE %.4g, NLL %.4g", r.n(), r.rmse(), r.nll()),
                    WIDTH / 2.0, 46, 0, -1);
            Axes a = new Axes(new Rectangle(80, 80, WIDTH - 120, HEIGHT - 175), 0, 1, 0, 1);
            grid(g, a, 0.1, 0.1);
            g.setColor(GAP_COLOR);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0));
            g.draw(new Line2D.Double(a.sx(0), a.sy(0), a.sx(1), a.sy(1)));
            Path2D.Double line = new Path2D.Double();
            line.moveTo(a.sx(0), a.sy(0));
            double[] cov = r.coverage();
            for (int l = 0; l < cov.length; l++) line.lineTo(a.sx(RegressionMetrics.LEVELS.get(l)), a.sy(cov[l]));
            g.setColor(IN_COLOR);
            g.setStroke(new BasicStroke(2.2f));
            g.draw(line);
            for (int l = 0; l < cov.length; l++) {
                double x = a.sx(RegressionMetrics.LEVELS.get(l)), y = a.sy(cov[l]);
                g.setColor(IN_COLOR);
                g.fill(new Ellipse2D.Double(x - 4.5, y - 4.5, 9, 9));
                text.draw(SMALL, TEXT_COLOR, String.format(Locale.ROOT, "%.3f", cov[l]), x + 8, y + 4, -1, -1);
            }
            frameAndTicks(g, text, a, 0.1, 0.1, true);
            text.draw(LABEL, TEXT_COLOR, "interval level", a.px().getCenterX(), a.px().y + a.px().height + 34, 0, -1);
            text.drawVertical(LABEL, TEXT_COLOR, "coverage (fraction of targets inside)", 24, a.px().getCenterY());
            legendRow(g, text, WIDTH / 2.0, HEIGHT - 22,
                    new LegendEntry((gg, box) -> {
                        gg.setColor(IN_COLOR);
                        gg.setStroke(new BasicStroke(2.2f));
                        gg.draw(new Line2D.Double(box.x, box.getCenterY(), box.x + box.width, box.getCenterY()));
                    }, "the model"),
                    new LegendEntry((gg, box) -> {
                        gg.setColor(GAP_COLOR);
                        gg.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0));
                        gg.draw(new Line2D.Double(box.x, box.getCenterY(), box.x + box.width, box.getCenterY()));
                    }, "calibrated"));
        } finally {
            g.dispose();
        }
        return image;
    }
}
