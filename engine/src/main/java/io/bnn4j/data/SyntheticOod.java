package io.bnn4j.data;

import io.bnn4j.random.Philox;

import java.util.List;
import java.util.Locale;

/**
 * Out-of-distribution sets made from an in-distribution set, for {@code bnn evaluate --ood} when
 * no second dataset is at hand: same count and shape as the base, unlabelled.
 * <ul>
 *   <li>{@code noise}: every pixel uniform in 0..255 (Philox, a pure function of seed and pixel);</li>
 *   <li>{@code inverted}: 255 − x (dark objects on a light ground);</li>
 *   <li>{@code flipped}: each image upside down.</li>
 * </ul>
 */
public final class SyntheticOod {

    /** The kinds, as spelled on the command line. */
    public static final List<String> KINDS = List.of("noise", "inverted", "flipped");

    private static final long NOISE_STREAM = 0x5_0E15EL;

    private SyntheticOod() {}

    public static boolean isKind(String s) {
        return KINDS.contains(s.toLowerCase(Locale.ROOT));
    }

    /** Whether an {@code --ood} argument names a synthetic set: one of {@link #KINDS} and not an existing directory. */
    public static boolean names(java.nio.file.Path ood) {
        return !java.nio.file.Files.isDirectory(ood) && isKind(ood.toString());
    }

    /** The synthetic set of {@code kind} made from {@code base}. */
    public static Dataset of(String kind, Dataset base, long seed) {
        int n = base.size(), c = base.channels(), h = base.height(), w = base.width();
        int per = c * h * w;
        byte[] px = new byte[Math.multiplyExact(n, per)];
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "noise" -> {
                int[] words = new int[4];
                for (int j = 0; j < px.length; j += 4) {
                    Philox.words(seed, NOISE_STREAM, j >>> 2, words);
                    for (int lane = 0; lane < 4 && j + lane < px.length; lane++) px[j + lane] = (byte) (words[lane] >>> 24);
                }
            }
            case "inverted" -> {
                for (int i = 0; i < n; i++) {
                    byte[] img = base.image(i);
                    for (int k = 0; k < per; k++) px[i * per + k] = (byte) (255 - (img[k] & 0xFF));
                }
            }
            case "flipped" -> {
                for (int i = 0; i < n; i++) {
                    byte[] img = base.image(i);
                    for (int ch = 0; ch < c; ch++)
                        for (int y = 0; y < h; y++)
                            System.arraycopy(img, (ch * h + y) * w, px, i * per + (ch * h + (h - 1 - y)) * w, w);
                }
            }
            default -> throw new IllegalArgumentException("unknown synthetic OOD set '" + kind + "' (expected one of " + KINDS + ")");
        }
        return Dataset.wrap(kind + " from " + base.source(), c, h, w, px, null, List.of());
    }
}
