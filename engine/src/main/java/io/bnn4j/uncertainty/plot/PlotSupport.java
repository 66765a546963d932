package io.bnn4j.uncertainty.plot;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileAlreadyExistsException;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * What the plots share: a headless white canvas, fonts, text that never takes the plot down, axes
 * with "nice" ticks (1, 2 or 5 × 10^k), and the atomic PNG write.
 *
 * <p>Text: the logical font "SansSerif" (DejaVu Sans on Debian). On a machine without any
 * font, Java2D throws from its font set-up; the first such failure turns text off for the rest
 * of the image, and the plot is drawn without labels rather than not at all.
 */
final class PlotSupport {

    static {
        // Before any AWT class decides: no display is needed (or wanted) to draw into an image.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final Color IN_COLOR = new Color(0x1F77B4);       // blue
    static final Color OOD_COLOR = new Color(0xFF7F0E);      // orange
    static final Color GAP_COLOR = new Color(0xD62728);      // red
    static final Color GRID_COLOR = new Color(0xE6E6E6);
    static final Color AXIS_COLOR = new Color(0x333333);
    static final Color TEXT_COLOR = new Color(0x222222);
    static final Color MUTED_TEXT = new Color(0x555555);

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    private static final SecureRandom RANDOM = new SecureRandom();

    private PlotSupport() {}

    /** A white ARGB-free RGB image and an anti-aliased graphics context on it. */
    static BufferedImage newImage(int width, int height) {
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    static Graphics2D begin(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    // ------------------------------------------------------------------ text

    /** Text drawing that degrades to nothing when the machine has no usable font. */
    static final class Text {
        private final Graphics2D g;
        private boolean broken;

        Text(Graphics2D g) {
            this.g = g;
        }

        /** Width of s in the font, or an estimate when fonts are broken. */
        int width(Font font, String s) {
            if (!broken) {
                try {
                    return g.getFontMetrics(font).stringWidth(s);
                } catch (RuntimeException | Error e) {
                    fail(e);
                }
            }
            return (int) Math.ceil(s.length() * font.getSize2D() * 0.6);
        }

        int ascent(Font font) {
            if (!broken) {
                try {
                    return g.getFontMetrics(font).getAscent();
                } catch (RuntimeException | Error e) {
                    fail(e);
                }
            }
            return Math.round(font.getSize2D() * 0.8f);
        }

        /**
         * Draws s with its anchor at (x, y): hAlign −1 left, 0 centre, 1 right; vAlign −1 top,
         * 0 middle (of the capital height), 1 baseline.
         */
        void draw(Font font, Color color, String s, double x, double y, int hAlign, int vAlign) {
            if (broken || s.isEmpty()) return;
            try {
                FontMetrics fm = g.getFontMetrics(font);
                double w = fm.stringWidth(s);
                double cap = fm.getAscent() * 0.72;   // about the height of capitals and digits
                double dx = hAlign < 0 ? 0 : hAlign == 0 ? -w / 2 : -w;
                double dy = vAlign < 0 ? cap : vAlign == 0 ? cap / 2 : 0;
                g.setFont(font);
                g.setColor(color);
                g.drawString(s, (float) (x + dx), (float) (y + dy));
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        /** Draws s rotated 90° anticlockwise, centred on (x, y) (for y-axis labels). */
        void drawVertical(Font font, Color color, String s, double x, double y) {
            if (broken) return;
            AffineTransform saved = g.getTransform();
            try {
                g.translate(x, y);
                g.rotate(-Math.PI / 2);
                draw(font, color, s, 0, 0, 0, 0);
            } finally {
                g.setTransform(saved);
            }
        }

        private void fail(Throwable e) {
            if (e instanceof VirtualMachineError vme) throw vme;
            if (!broken) {
                broken = true;
                System.err.println("bnn4j: no usable font (" + e + "); plot drawn without text");
            }
        }
    }

    // ------------------------------------------------------------------ axes

    /** The step of at most about {@code maxTicks} ticks over [0, range]: 1, 2 or 5 × 10^k. */
    static double niceStep(double range, int maxTicks) {
        if (!(range > 0) || !Double.isFinite(range)) return 1;
        double raw = range / Math.max(1, maxTicks);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double eps = 1e-9;   // 1.2/6 gives f = 2.0000000000000004, which is a 2
        double nice = f <= 1 + eps ? 1 : f <= 2 + eps ? 2 : f <= 5 + eps ? 5 : 10;
        return nice * mag;
    }

    /** The smallest multiple of a nice step that covers v (v > 0), so an axis ends on a tick. */
    static double niceCeil(double v, int maxTicks) {
        double step = niceStep(v, maxTicks);
        return Math.ceil(v / step - 1e-9) * step;
    }

    /** A tick value with as many decimals as the step needs (0.2 → "0.2", 0.05 → "0.05", 5 → "5"). */
    static String tickLabel(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (Math.abs(v) < step * 1e-6) v = 0;   // no "-0.0"
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Counts as compact text: 7, 950, 1.2k, 35k, 1.3M. */
    static String compactCount(long n) {
        if (n < 1000) return Long.toString(n);
        if (n < 10_000) return String.format(Locale.ROOT, "%.1fk", n / 1000.0);
        if (n < 1_000_000) return String.format(Locale.ROOT, "%dk", Math.round(n / 1000.0));
        return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }

    /** Maps data (x in [x0, x1], y in [y0, y1]) onto a pixel rectangle, y upwards. */
    record Axes(Rectangle px, double x0, double x1, double y0, double y1) {
        double sx(double x) { return px.x + (x - x0) / (x1 - x0) * px.width; }
        double sy(double y) { return px.y + px.height - (y - y0) / (y1 - y0) * px.height; }
    }

    /** Light grid lines at the ticks (drawn first, under the data). */
    static void grid(Graphics2D g, Axes a, double xStep, double yStep) {
        g.setColor(GRID_COLOR);
        g.setStroke(new BasicStroke(1f));
        if (xStep > 0) for (double x = a.x0(); x <= a.x1() + xStep * 1e-6; x += xStep)
            g.draw(new Line2D.Double(a.sx(x), a.px().y, a.sx(x), a.px().y + a.px().height));
        if (yStep > 0) for (double y = a.y0(); y <= a.y1() + yStep * 1e-6; y += yStep)
            g.draw(new Line2D.Double(a.px().x, a.sy(y), a.px().x + a.px().width, a.sy(y)));
    }

    /** The frame, tick marks, and tick labels (x below, y left); a step ≤ 0 omits that axis' labels. */
    static void frameAndTicks(Graphics2D g, Text text, Axes a, double xStep, double yStep, boolean xLabels) {
        Rectangle r = a.px();
        g.setColor(AXIS_COLOR);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(new Rectangle2D.Double(r.x, r.y, r.width, r.height));
        if (xStep > 0) {
            for (int k = 0; ; k++) {
                double x = a.x0() + k * xStep;
                if (x > a.x1() + xStep * 1e-6) break;
                double px = a.sx(x);
                g.setColor(AXIS_COLOR);
                g.draw(new Line2D.Double(px, r.y + r.height, px, r.y + r.height + 5));
                if (xLabels) text.draw(TICK, TEXT_COLOR, tickLabel(x, xStep), px, r.y + r.height + 9, 0, -1);
            }
        }
        if (yStep > 0) {
            for (int k = 0; ; k++) {
                double y = a.y0() + k * yStep;
                if (y > a.y1() + yStep * 1e-6) break;
                double py = a.sy(y);
                g.setColor(AXIS_COLOR);
                g.draw(new Line2D.Double(r.x - 5, py, r.x, py));
                text.draw(TICK, TEXT_COLOR, tickLabel(y, yStep), r.x - 9, py, 1, 0);
            }
        }
    }

    /**
     * One legend row centred at (cx, y): each entry a swatch (drawn by its painter into a 22×12
     * box) and a label. Returns nothing; the caller reserves the row, so the legend can never
     * cover data.
     */
    static void legendRow(Graphics2D g, Text text, double cx, double y, LegendEntry... entries) {
        int gap = 18, swatch = 22, pad = 6;
        double total = 0;
        for (LegendEntry e : entries) total += swatch + pad + text.width(SUBTITLE, e.label());
        total += gap * (entries.length - 1);
        double x = cx - total / 2;
        for (LegendEntry e : entries) {
            e.swatch().paint(g, new Rectangle((int) Math.round(x), (int) Math.round(y - 6), swatch, 12));
            x += swatch + pad;
            text.draw(SUBTITLE, TEXT_COLOR, e.label(), x, y, -1, 0);
            x += text.width(SUBTITLE, e.label()) + gap;
        }
    }

    interface Swatch {
        void paint(Graphics2D g, Rectangle box);
    }

    record LegendEntry(Swatch swatch, String label) {}

    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    // ------------------------------------------------------------------ files

    /**
     * Writes the image as PNG to {@code target} atomically: into a temporary file in the same
     * folder, synced, then renamed over the target. On any failure the temporary file is removed
     * and the target is untouched.
     */
    static void writePngAtomically(BufferedImage image, Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException(target + ": folder " + dir + " does not exist");
        // A fresh name beside the target (same file system, so the rename is atomic). Not
        // createTempFile: that forces mode 0600, and a plot should get the usual permissions.
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                tmp = candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
        boolean done = false;
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 OutputStream out = new java.io.BufferedOutputStream(fos)) {
                if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer in this JDK");
                out.flush();
                fos.getFD().sync();
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }
}
