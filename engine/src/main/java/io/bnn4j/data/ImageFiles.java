package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Single images (PNG, JPEG, and whatever else the JDK's {@code javax.imageio} reads, e.g.
 * BMP and GIF) as model input.
 *
 * <p>Decoding: gray images (1 colour component, 8 or 16 bits) are read from their raster as
 * stored (not through {@code getRGB}, which would apply a gamma curve to linear gray); every
 * other image (RGB, palette, ARGB) through {@code getRGB} as 8-bit sRGB. Transparency is
 * composited over black (value × alpha), matching the black background of MNIST-style data.
 * 16-bit samples are rounded to 8 bits.
 *
 * <p>Pixel values are taken as they are: Fashion-MNIST and MNIST images are white (255)
 * objects on a black (0) background, so a photograph of a dark object on a white page must
 * be inverted by the user before a model trained on them can make sense of it; nothing here
 * guesses.
 *
 * <p>The image's size is checked ({@value #MAX_SIDE} pixels a side at most) from the file's
 * header before its pixels are decoded. Anything unreadable (not an image, corrupt,
 * truncated) is a {@link BnnInputException} naming the file.
 */
public final class ImageFiles {

    /** The largest image side decoded, in pixels. */
    public static final int MAX_SIDE = 16384;
    /** The most pixels decoded (a 64-megapixel photograph). */
    public static final long MAX_PIXELS = 64L << 20;

    private ImageFiles() {}

    /**
     * The image as model input: (targetC, targetH, targetW) floats in [0, 1], channels
     * converted (gray → RGB replicated, RGB → gray by BT.601 luminance) and resized
     * bilinearly ({@link ImageTransform#RESIZE}).
     */
    public static float[] read(Path file, int targetC, int targetH, int targetW) {
        return read(file, targetC, targetH, targetW, ImageTransform.RESIZE);
    }

    /**
     * The image as model input with the given transform. A model trained with
     * {@link ImageTransform#PAD} on 28×28 data should be given 28×28 images with PAD too (it
     * then sees exactly what it learned on); photographs of any size want RESIZE.
     */
    public static float[] read(Path file, int targetC, int targetH, int targetW, ImageTransform transform) {
        return decode(file).toFloats(0, targetC, targetH, targetW, transform);
    }

    /** The image at native size as a one-image unlabelled dataset: 1 channel if gray, else 3 (RGB). */
    public static Dataset decode(Path file) {
        DataFiles.requireFile(file);
        return decode(file, file.toFile());
    }

    /**
     * An image held in memory (the bytes of a PNG, JPEG, … file), as {@link #decode(Path)};
     * {@code name} names it in messages.
     */
    public static Dataset decode(byte[] bytes, String name) {
        return decode(Path.of(name.replace('\0', '_')), new java.io.ByteArrayInputStream(bytes));
    }

    private static Dataset decode(Path file, Object source) {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(source)) {
            if (in == null) throw DataFiles.error(file, "cannot be opened as an image");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw DataFiles.error(file, "is not an image that can be read (PNG, JPEG, BMP or GIF expected)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                    throw DataFiles.error(file, "is " + w + "x" + h + " pixels; at most " + MAX_SIDE + " a side and "
                            + MAX_PIXELS + " pixels are read");
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (BnnInputException e) {
            throw e;
        } catch (IOException e) {
            throw DataFiles.error(file, "is corrupt or unreadable as " + kind(file) + " (" + DataFiles.oneLine(e.getMessage())
                    + ")");
        } catch (RuntimeException e) {
            // Decoders fed corrupt data throw assorted runtime exceptions; all mean "bad file".
            throw new BnnInputException(file + ": is corrupt or unreadable as " + kind(file) + " ("
                    + e.getClass().getSimpleName() + ": " + DataFiles.oneLine(e.getMessage()) + ")", e);
        }
        return toDataset(file, image);
    }

    private static String kind(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".png")) return "a PNG image";
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return "a JPEG image";
        return "an image";
    }

    private static Dataset toDataset(Path file, BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm.getNumColorComponents() == 1 && raster.getNumBands() == cm.getNumComponents()) {
            // Gray: band 0 as stored; band 1 is alpha when there is one.
            byte[] px = new byte[plane];
            double grayMax = (1L << cm.getComponentSize(0)) - 1;
            double alphaMax = cm.hasAlpha() ? (1L << cm.getComponentSize(1)) - 1 : 1;
            int[] g = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int[] a = cm.hasAlpha() ? raster.getSamples(0, 0, w, h, 1, (int[]) null) : null;
            for (int i = 0; i < plane; i++) {
                double v = g[i] / grayMax;
                if (a != null) v *= a[i] / alphaMax;
                px[i] = (byte) Math.round(255 * v);
            }
            return Dataset.wrap(file.toString(), 1, h, w, px, null, java.util.List.of());
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] px = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            int alpha = p >>> 24;
            int r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, b = p & 0xFF;
            if (alpha != 255) {
                r = (r * alpha + 127) / 255;
                g = (g * alpha + 127) / 255;
                b = (b * alpha + 127) / 255;
            }
            px[i] = (byte) r;
            px[plane + i] = (byte) g;
            px[2 * plane + i] = (byte) b;
        }
        return Dataset.wrap(file.toString(), 3, h, w, px, null, java.util.List.of());
    }
}
