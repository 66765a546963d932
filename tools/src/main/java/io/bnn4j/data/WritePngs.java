package io.bnn4j.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the images of an IDX file as 28×28 gray PNG files, {@code copies} times over
 * (img{copy}_{index}.png): the input of the Spark scoring benchmark (docs/PERFORMANCE.md).
 *
 * <p>Usage: WritePngs IDX_IMAGES OUT_DIR [COPIES=1]
 */
public final class WritePngs {

    private WritePngs() {}

    public static void main(String[] args) throws IOException {
        Dataset d = IdxFiles.readImages(Path.of(args[0]));
        Path out = Files.createDirectories(Path.of(args[1]));
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int h = d.height(), w = d.width();
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < d.size(); i++) {
                float[] f = d.toFloats(i, 1, h, w, ImageTransform.PAD);
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, Math.round(255 * f[y * w + x]));
                ImageIO.write(img, "png", out.resolve("img" + c + "_" + i + ".png").toFile());
            }
        }
    }
}
