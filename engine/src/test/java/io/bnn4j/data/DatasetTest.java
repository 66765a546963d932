package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {

    private static final List<String> TEN = ClassNames.MNIST;

    /** n gray h×w images with pixel (i, y, x) = (7i + 3y + x) mod 256. */
    static Dataset pattern(int n, int h, int w) {
        byte[] px = new byte[n * h * w];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) px[(i * h + y) * w + x] = (byte) (7 * i + 3 * y + x);
        int[] labels = IntStream.range(0, n).map(i -> i % 10).toArray();
        return Dataset.of("pattern", 1, h, w, px, labels, TEN);
    }

    static Dataset random(long seed, int n, int c, int h, int w) {
        return Dataset.of("random", c, h, w, Fixtures.randomBytes(seed, n * c * h * w),
                Fixtures.randomLabels(seed + 1, n, 10), TEN);
    }

    // ------------------------------------------------------------------ basics

    @Test
    void factoryChecksSizesAndLabels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("x", 1, 2, 2, new byte[8], new int[] {0, 10}, TEN));
        assertTrue(e.getMessage().contains("label 10 of image 1 is outside 0..9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.of("x", 1, 2, 2, new byte[7], new int[] {0, 1}, TEN));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of("x", 1, 2, 2, new byte[8], new int[] {0}, TEN));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of("x", 2, 2, 2, new byte[8], new int[] {0}, TEN));
    }

    @Test
    void accessorsSubsetAndLimit() {
        Dataset d = pattern(12, 3, 4);
        assertEquals(12, d.size());
        assertEquals(10, d.numClasses());
        assertEquals((7 * 5 + 3 * 2 + 1) & 0xFF, d.pixel(5, 0, 2, 1));
        assertEquals(5, d.label(5));
        assertEquals(1, d.label(11));

        Dataset s = d.subset(new int[] {11, 2, 2});
        assertEquals(3, s.size());
        assertArrayEquals(d.image(11), s.image(0));
        assertArrayEquals(new int[] {1, 2, 2}, s.labels());
        // a view of a view maps back to the base images
        Dataset ss = s.subset(new int[] {0});
        assertArrayEquals(d.image(11), ss.image(0));

        assertEquals(4, d.limit(4).size());
        assertArrayEquals(d.image(3), d.limit(4).image(3));
        assertSame(d, d.limit(100));
        assertEquals(0, d.limit(0).size());
        assertThrows(BnnInputException.class, () -> d.limit(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {12}));
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(12));

        int[] batch = new int[5];
        d.labels(new int[] {9, 3, 4, 10}, 1, 3, batch, 2);
        assertArrayEquals(new int[] {0, 0, 3, 4, 0}, batch);
        assertArrayEquals(new int[] {2, 2, 1, 1, 1, 1, 1, 1, 1, 1}, d.classCounts());
    }

    @Test
    void unlabelledDatasetsRefuseLabels() {
        Dataset d = Dataset.unlabelled("u", 1, 2, 2, new byte[8]);
        assertFalse(d.hasLabels());
        assertEquals(0, d.numClasses());
        assertThrows(IllegalStateException.class, () -> d.label(0));
        assertEquals(2, d.size());
    }

    // ------------------------------------------------------------------ split

    @Test
    void splitIsDeterministicDisjointAndComplete() {
        Dataset d = pattern(1000, 2, 2);
        TrainValid a = d.split(0.1, 42), b = d.split(0.1, 42), c = d.split(0.1, 43);
        assertEquals(100, a.valid().size());
        assertEquals(900, a.train().size());
        assertEquals(a.valid().digest(), b.valid().digest());
        assertEquals(a.train().digest(), b.train().digest());
        assertNotEquals(a.valid().digest(), c.valid().digest(), "another seed gives another split");

        // identify images by their first pixel + label pattern: image i has pixel(0,0,0) = 7i mod 256 and label i mod 10
        Set<String> seen = new HashSet<>();
        for (Dataset part : List.of(a.train(), a.valid())) {
            for (int i = 0; i < part.size(); i++) seen.add(Arrays.toString(part.image(i)) + "/" + part.label(i));
        }
        Set<String> all = new HashSet<>();
        for (int i = 0; i < d.size(); i++) all.add(Arrays.toString(d.image(i)) + "/" + d.label(i));
        assertEquals(all, seen, "train ∪ valid is the whole set");
    }

    @Test
    void splitFractionsAtTheEdges() {
        Dataset d = pattern(2000, 1, 1);
        TrainValid none = d.split(0, 1);
        assertEquals(0, none.valid().size());
        assertEquals(d.digest(), none.train().digest(), "fraction 0 keeps everything in order");
        TrainValid almostAll = d.split(Math.nextDown(1.0), 1);
        assertEquals(1, almostAll.train().size(), "a fraction below 1 leaves one training image");
        assertEquals(1999, almostAll.valid().size());
        assertEquals(1, pattern(1, 1, 1).split(0.5, 3).train().size());
        assertEquals(0, pattern(0, 1, 1).split(0.5, 3).train().size());
        for (double bad : new double[] {1.0, -0.01, Double.NaN, 2}) {
            BnnInputException e = assertThrows(BnnInputException.class, () -> d.split(bad, 1));
            assertTrue(e.getMessage().contains("must be in [0, 1)"), e.getMessage());
        }
    }

    @Test
    void permutationIsAPermutationAndDependsOnlyOnSeedAndSize() {
        for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
            int[] p = Dataset.permutation(n, 5);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            assertArrayEquals(IntStream.range(0, n).toArray(), sorted);
            assertArrayEquals(p, Dataset.permutation(n, 5));
        }
        assertFalse(Arrays.equals(Dataset.permutation(100, 5), Dataset.permutation(100, 6)));
        // Each element should land anywhere: over many seeds, element 0 visits most positions of 10.
        Set<Integer> positions = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            int[] p = Dataset.permutation(10, seed);
            for (int k = 0; k < 10; k++) if (p[k] == 0) positions.add(k);
        }
        assertEquals(10, positions.size());
    }

    // ------------------------------------------------------------------ digest

    @Test
    void digestFollowsContentNotStorage() {
        Dataset d = random(1, 50, 3, 4, 5);
        String full = d.digest();
        assertEquals(64, full.length());
        assertEquals(full, random(1, 50, 3, 4, 5).digest());
        int[] idx = IntStream.range(0, 50).toArray();
        assertEquals(full, d.subset(idx).digest(), "an identity view has the same content");

        // a view and a copy with the same images agree
        Dataset view = d.subset(new int[] {7, 3});
        byte[] px = Fixtures.concat(d.image(7), d.image(3));
        Dataset copy = Dataset.of("other name", 3, 4, 5, px, new int[] {d.label(7), d.label(3)}, ClassNames.CIFAR10);
        assertEquals(view.digest(), copy.digest());

        int[] labels = d.labels();
        labels[0] = (labels[0] + 1) % 10;
        byte[] allPx = new byte[50 * d.imageBytes()];
        for (int i = 0; i < 50; i++) System.arraycopy(d.image(i), 0, allPx, i * d.imageBytes(), d.imageBytes());
        assertNotEquals(full, Dataset.of("x", 3, 4, 5, allPx, labels, TEN).digest(), "a label changes it");
        allPx[17] ^= 1;
        assertNotEquals(full, Dataset.of("x", 3, 4, 5, allPx, d.labels(), TEN).digest(), "a pixel changes it");
    }

    // ------------------------------------------------------------------ model input

    @Test
    void padPutsTheImageInTheMiddleOfABlackFrame() {
        Dataset d = pattern(3, 28, 28);
        float[] out = d.toFloats(2, 1, 32, 32, ImageTransform.PAD);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                float expected = inside ? d.pixel(2, 0, y - 2, x - 2) / 255f : 0f;
                assertEquals(expected, out[y * 32 + x], 0f, "(" + y + ", " + x + ")");
            }
        }
        // Same size: the identity.
        float[] same = d.toFloats(1, 1, 28, 28, ImageTransform.PAD);
        for (int k = 0; k < 28 * 28; k++) assertEquals((d.image(1)[k] & 0xFF) / 255f, same[k], 0f);
    }

    @Test
    void padCropsTheCentreWhenTheTargetIsSmaller() {
        Dataset d = pattern(1, 5, 6);
        float[] out = d.toFloats(0, 1, 3, 3, ImageTransform.PAD);
        // top = floor((3 − 5)/2) = −1, left = floor((3 − 6)/2) = −2: source rows 1..3, columns 2..4
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++) assertEquals(d.pixel(0, 0, y + 1, x + 2) / 255f, out[y * 3 + x], 0f);
        // Odd margins: 1×1 into 4×4 sits at (1, 1).
        Dataset one = Dataset.of("one", 1, 1, 1, new byte[] {(byte) 255}, new int[] {0}, TEN);
        float[] o = one.toFloats(0, 1, 4, 4, ImageTransform.PAD);
        for (int k = 0; k < 16; k++) assertEquals(k == 5 ? 1f : 0f, o[k], 0f);
    }

    @Test
    void resizeMatchesHandComputedValues() {
        // 1×2 → 1×4 along x: half-pixel centres give v0, 0.75 v0 + 0.25 v1, 0.25 v0 + 0.75 v1, v1
        // (PyTorch F.interpolate(bilinear, align_corners=False) gives the same).
        Dataset d = Dataset.of("two", 1, 1, 2, new byte[] {0, (byte) 200}, new int[] {0}, TEN);
        float[] out = d.toFloats(0, 1, 1, 4, ImageTransform.RESIZE);
        float v1 = 200 / 255f;
        assertArrayEquals(new float[] {0, 0.25f * v1, 0.75f * v1, v1}, out, 1e-6f);
        // Same size: the identity.
        Dataset p = pattern(1, 7, 9);
        float[] same = p.toFloats(0, 1, 7, 9, ImageTransform.RESIZE);
        for (int k = 0; k < 63; k++) assertEquals((p.image(0)[k] & 0xFF) / 255f, same[k], 0f);
    }

    @Test
    void resizeReproducesALinearRampExactly() {
        // Bilinear interpolation of a linear function is exact where it does not clamp.
        byte[] px = new byte[28 * 28];
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) px[y * 28 + x] = (byte) (9 * x);
        Dataset d = Dataset.of("ramp", 1, 28, 28, px, new int[] {0}, TEN);
        float[] out = d.toFloats(0, 1, 32, 32, ImageTransform.RESIZE);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double s = Math.min(27, Math.max(0, (x + 0.5) * 28 / 32.0 - 0.5));
                assertEquals(9 * s / 255, out[y * 32 + x], 2e-6, "(" + y + ", " + x + ")");
            }
        }
    }

    /** An independent double-precision bilinear resize, written from PyTorch's formula. */
    private static double[] bilinear(double[] src, int h, int w, int oh, int ow) {
        double[] out = new double[oh * ow];
        for (int ty = 0; ty < oh; ty++) {
            double sy = Math.max(0, (ty + 0.5) * h / oh - 0.5);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double ly = sy - y0;
            for (int tx = 0; tx < ow; tx++) {
                double sx = Math.max(0, (tx + 0.5) * w / ow - 0.5);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double lx = sx - x0;
                out[ty * ow + tx] = (1 - ly) * ((1 - lx) * src[y0 * w + x0] + lx * src[y0 * w + x1])
                        + ly * ((1 - lx) * src[y1 * w + x0] + lx * src[y1 * w + x1]);
            }
        }
        return out;
    }

    @Test
    void resizeAgreesWithAnIndependentOracleUpAndDown() {
        Dataset d = random(9, 2, 3, 13, 17);
        int[][] targets = {{32, 32}, {5, 4}, {1, 1}, {13, 40}, {26, 34}};
        for (int[] t : targets) {
            float[] out = d.toFloats(1, 3, t[0], t[1], ImageTransform.RESIZE);
            for (int c = 0; c < 3; c++) {
                double[] src = new double[13 * 17];
                for (int k = 0; k < src.length; k++) src[k] = (d.image(1)[c * 13 * 17 + k] & 0xFF) / 255.0;
                double[] ref = bilinear(src, 13, 17, t[0], t[1]);
                for (int k = 0; k < ref.length; k++) {
                    // float arithmetic on values ≤ 1: a few ulps of 1
                    assertEquals(ref[k], out[c * t[0] * t[1] + k], 1e-6, Arrays.toString(t) + " c" + c + " k" + k);
                }
            }
        }
    }

    @Test
    void channelConversion() {
        Dataset gray = pattern(1, 28, 28);
        for (ImageTransform t : ImageTransform.values()) {
            float[] one = gray.toFloats(0, 1, 32, 32, t);
            float[] three = gray.toFloats(0, 3, 32, 32, t);
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(one, Arrays.copyOfRange(three, c * 1024, (c + 1) * 1024), 0f, "gray replicated, " + t);
            }
        }
        Dataset rgb = random(3, 1, 3, 6, 5);
        for (ImageTransform t : ImageTransform.values()) {
            float[] lum = rgb.toFloats(0, 1, 8, 7, t);
            float[] planes = rgb.toFloats(0, 3, 8, 7, t);
            for (int k = 0; k < 56; k++) {
                double expected = 0.299 * planes[k] + 0.587 * planes[56 + k] + 0.114 * planes[112 + k];
                assertEquals(expected, lum[k], 2e-6, t + " luminance at " + k);
            }
        }
        assertTrue(rgb.canConvertTo(1) && rgb.canConvertTo(3) && !rgb.canConvertTo(2) && !rgb.canConvertTo(4));
        BnnInputException e = assertThrows(BnnInputException.class,
                () -> rgb.toFloats(0, 2, 8, 8, ImageTransform.PAD));
        assertTrue(e.getMessage().contains("images have 3 channel(s) but the model wants 2"), e.getMessage());
    }

    @Test
    void writeBatchEqualsImageByImageAndRespectsOffsets() {
        Dataset d = random(4, 40, 1, 28, 28);
        int[] order = {39, 0, 17, 17, 5, 22, 8};
        int per = 3 * 32 * 32;
        for (ImageTransform t : ImageTransform.values()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate((long) (7 + 2 * 5) * per * Float.BYTES);
                seg.fill((byte) 0x7f);
                long off = 2L * per + 3;   // an odd float offset
                d.writeBatch(order, 1, 5, seg, off, 3, 32, 32, t);
                for (int k = 0; k < 5; k++) {
                    float[] expected = d.toFloats(order[1 + k], 3, 32, 32, t);
                    float[] got = new float[per];
                    MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT, (off + (long) k * per) * 4, got, 0, per);
                    assertArrayEquals(expected, got, 0f, t + " image " + k);
                }
                // nothing written before or after the batch
                assertEquals(0x7f7f7f7f, seg.getAtIndex(ValueLayout.JAVA_INT, off - 1));
                assertEquals(0x7f7f7f7f, seg.getAtIndex(ValueLayout.JAVA_INT, off + 5L * per));
            }
        }
        // A heap segment works too, and writeImage is a batch of one.
        float[] heap = new float[1024];
        d.writeImage(3, MemorySegment.ofArray(heap), 0, 1, 32, 32, ImageTransform.PAD);
        assertArrayEquals(d.toFloats(3, 1, 32, 32, ImageTransform.PAD), heap, 0f);
    }

    @Test
    void writeBatchChecksBounds() {
        Dataset d = random(4, 10, 1, 28, 28);
        MemorySegment small = MemorySegment.ofArray(new float[2 * 1024 - 1]);
        assertThrows(IndexOutOfBoundsException.class,
                () -> d.writeBatch(new int[] {0, 1}, 0, 2, small, 0, 1, 32, 32, ImageTransform.PAD));
        MemorySegment ok = MemorySegment.ofArray(new float[2 * 1024]);
        assertThrows(IndexOutOfBoundsException.class,
                () -> d.writeBatch(new int[] {0, 10}, 0, 2, ok, 0, 1, 32, 32, ImageTransform.PAD));
        assertThrows(IndexOutOfBoundsException.class,
                () -> d.writeBatch(new int[] {0, 1}, 1, 2, ok, 0, 1, 32, 32, ImageTransform.PAD));
        assertThrows(IllegalArgumentException.class,
                () -> d.writeBatch(new int[] {0}, 0, 1, ok, 0, 1, 0, 32, ImageTransform.PAD));
        d.writeBatch(new int[] {0, 1}, 0, 2, ok, 0, 1, 32, 32, ImageTransform.PAD);
    }
}
