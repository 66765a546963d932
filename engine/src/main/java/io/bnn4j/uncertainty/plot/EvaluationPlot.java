package io.bnn4j.uncertainty.plot;

import io.bnn4j.uncertainty.EvaluationResult;
import io.bnn4j.uncertainty.UncertaintyScores;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static io.bnn4j.uncertainty.plot.PlotSupport.*;

/**
 * The PNG of {@code bnn evaluate --plot FILE.png}: the reliability diagram alone
 * ({@value ReliabilityDiagram#WIDTH}×{@value ReliabilityDiagram#HEIGHT}), or, given
 * out-of-distribution scores, the diagram and the entropy and mutual-information histograms side
 * by side (three panels, 3·{@value ReliabilityDiagram#WIDTH} wide). Written atomically.
 */
public final class EvaluationPlot {

    private EvaluationPlot() {}

    /** The reliability diagram alone. */
    public static void write(Path png, EvaluationResult result) throws IOException {
        write(png, result, null, null);
    }

    /**
     * The reliability diagram, plus the OOD histograms when {@code in} and {@code ood} are both
     * given (both null: the diagram alone; one null: an error).
     *
     * @param in  the scores of the in-distribution test inputs (those of {@code result})
     * @param ood the scores of the out-of-distribution inputs
     */
    public static void write(Path png, EvaluationResult result, UncertaintyScores in, UncertaintyScores ood) throws IOException {
        if ((in == null) != (ood == null)) throw new IllegalArgumentException("give both in- and out-of-distribution scores, or neither");
        BufferedImage image = render(result, in, ood);
        writePngAtomically(image, png);
    }

    /** The image that {@link #write} saves. */
    public static BufferedImage render(EvaluationResult result, UncertaintyScores in, UncertaintyScores ood) {
        boolean withOod = in != null && ood != null;
        int w = ReliabilityDiagram.WIDTH, h = ReliabilityDiagram.HEIGHT;
        BufferedImage image = newImage(withOod ? 3 * w : w, h);
        Graphics2D g = begin(image);
        try {
            ReliabilityDiagram.draw(g, new Rectangle(0, 0, w, h), result);
            if (withOod) {
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(w, 16, w, h - 16);
                OodHistograms.draw(g, new Rectangle(w, 0, 2 * w, h), in, ood, result.classes());
            }
        } finally {
            g.dispose();
        }
        return image;
    }
}
