package io.bnn4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.bnn4j.data.Fixtures.write;
import static io.bnn4j.data.IdxFilesTest.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFilesTest {

    @TempDir
    Path dir;

    /** A 28×28 gray image with pixel (y, x) = (3y + 5x) mod 256, as an IDX sample would be. */
    private static BufferedImage grayPattern() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, (3 * y + 5 * x) & 0xFF);
        return img;
    }

    private static byte[] grayPatternBytes() {
        byte[] px = new byte[28 * 28];
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) px[y * 28 + x] = (byte) (3 * y + 5 * x);
        return px;
    }

    private Path save(BufferedImage img, String format, String name) throws IOException {
        Path file = dir.resolve(name);
        assertTrue(ImageIO.write(img, format, file.toFile()), "a writer for " + format);
        return file;
    }

    @Test
    void grayPngIntoAThreeChannelModel() throws IOException {
        Path png = save(grayPattern(), "png", "gray.png");
        Dataset reference = Dataset.unlabelled("ref", 1, 28, 28, grayPatternBytes());
        // Native size: the stored values exactly (no gamma curve), replicated into R, G, B.
        float[] native3 = ImageFiles.read(png, 3, 28, 28);
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < 784; k++) {
                assertEquals((grayPatternBytes()[k] & 0xFF) / 255f, native3[c * 784 + k], 0f, "c" + c + " k" + k);
            }
        }
        // Into a 32×32 model: the same as a dataset image of the same bytes, with either transform.
        for (ImageTransform t : ImageTransform.values()) {
            assertArrayEquals(reference.toFloats(0, 3, 32, 32, t), ImageFiles.read(png, 3, 32, 32, t), 0f, t.toString());
        }
        assertArrayEquals(reference.toFloats(0, 1, 32, 32, ImageTransform.RESIZE), ImageFiles.read(png, 1, 32, 32), 0f,
                "the default is RESIZE");
        Dataset decoded = ImageFiles.decode(png);
        assertEquals(1, decoded.channels());
        assertEquals(1, decoded.size());
    }

    @Test
    void rgbPngIntoAOneChannelModel() throws IOException {
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) img.setRGB(x, y, (40 * x) << 16 | (60 * y) << 8 | 200);
        Path png = save(img, "png", "rgb.png");
        float[] gray = ImageFiles.read(png, 1, 3, 4);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                double expected = (0.299 * 40 * x + 0.587 * 60 * y + 0.114 * 200) / 255;
                assertEquals(expected, gray[y * 4 + x], 1e-6, "(" + y + ", " + x + ")");
            }
        }
        float[] rgb = ImageFiles.read(png, 3, 3, 4);
        assertEquals(120 / 255f, rgb[3], 0f);            // R at (0, 3)
        assertEquals(120 / 255f, rgb[12 + 2 * 4], 0f);   // G at (2, 0)
        assertEquals(200 / 255f, rgb[24 + 5], 0f);       // B anywhere
    }

    @Test
    void transparencyIsCompositedOverBlack() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x80FFFFFF);   // half-transparent white
        img.setRGB(1, 0, 0x00FFFFFF);   // fully transparent white
        Path png = save(img, "png", "argb.png");
        float[] out = ImageFiles.read(png, 1, 1, 2);
        assertEquals(128 / 255f, out[0], 1e-6);
        assertEquals(0f, out[1], 0f);
    }

    @Test
    void sixteenBitGrayIsScaledToEightBits() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 65535);
        img.getRaster().setSample(1, 0, 0, 257 * 100);
        Path png = save(img, "png", "gray16.png");
        assertArrayEquals(new float[] {1f, 100 / 255f}, ImageFiles.read(png, 1, 1, 2), 0f);
    }

    @Test
    void jpegOfAFlatColourReadsBackCloseToIt() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, 200 << 16 | 100 << 8 | 50);
        Path jpg = save(img, "jpg", "flat.jpg");
        float[] gray = ImageFiles.read(jpg, 1, 32, 32);
        double expected = (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255;
        // JPEG is lossy: chroma subsampling and quantisation move a flat colour by a few levels.
        for (float v : gray) assertEquals(expected, v, 4 / 255.0);
        float[] rgb = ImageFiles.read(jpg, 3, 16, 16);
        assertEquals(200 / 255.0, rgb[0], 4 / 255.0);
        assertEquals(100 / 255.0, rgb[256], 4 / 255.0);
        assertEquals(50 / 255.0, rgb[512], 4 / 255.0);
    }

    @Test
    void corruptAndForeignFilesAreRefused() throws IOException {
        Path good = save(grayPattern(), "png", "good.png");
        byte[] bytes = Files.readAllBytes(good);
        // PNG signature followed by garbage
        byte[] garbage = Arrays.copyOf(bytes, 60);
        for (int i = 16; i < garbage.length; i++) garbage[i] = (byte) (i * 37);
        Path corrupt = write(dir.resolve("corrupt.png"), garbage);
        rejects(corrupt, "is corrupt or unreadable as a PNG image", () -> ImageFiles.read(corrupt, 1, 32, 32));
        Path truncated = write(dir.resolve("truncated.png"), Arrays.copyOf(bytes, bytes.length / 2));
        rejects(truncated, "is corrupt or unreadable as a PNG image", () -> ImageFiles.read(truncated, 1, 32, 32));
        Path text = write(dir.resolve("notes.png"), "hello, not an image".getBytes());
        rejects(text, "is not an image that can be read", () -> ImageFiles.read(text, 1, 32, 32));
        Path empty = write(dir.resolve("empty.jpg"), new byte[0]);
        rejects(empty, "is empty", () -> ImageFiles.read(empty, 1, 32, 32));
        Path missing = dir.resolve("missing.png");
        rejects(missing, "does not exist", () -> ImageFiles.read(missing, 1, 32, 32));
        Path rgb = save(new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB), "png", "rgb.png");
        rejects(rgb, "images have 3 channel(s) but the model wants 2", () -> ImageFiles.read(rgb, 2, 32, 32));
    }

    @Test
    void aHugeDeclaredSizeIsRefusedBeforeDecoding() throws IOException {
        // Patch the IHDR of a tiny PNG to claim 100000 × 100000 pixels (the CRC no longer
        // matches; the size check comes first anyway).
        Path small = save(grayPattern(), "png", "small.png");
        byte[] b = Files.readAllBytes(small);
        // IHDR data starts at byte 16: width (4 bytes), height (4 bytes), big-endian
        int big = 100_000;
        for (int k = 0; k < 4; k++) {
            b[16 + k] = (byte) (big >>> (24 - 8 * k));
            b[20 + k] = (byte) (big >>> (24 - 8 * k));
        }
        Path huge = write(dir.resolve("huge.png"), b);
        rejects(huge, "is 100000x100000 pixels; at most 16384 a side", () -> ImageFiles.read(huge, 1, 32, 32));
    }
}
