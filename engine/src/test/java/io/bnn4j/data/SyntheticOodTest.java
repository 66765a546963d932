package io.bnn4j.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticOodTest {

    static Dataset base() {
        byte[] px = new byte[3 * 3 * 4 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
        return Dataset.of("base", 3, 4, 5, px, new int[]{0, 1, 0}, List.of("a", "b"));
    }

    @Test
    void invertedIsTheComplementAndFlippedTwiceIsTheImage() {
        Dataset b = base();
        Dataset inv = SyntheticOod.of("inverted", b, 1), flip = SyntheticOod.of("flipped", b, 1);
        assertEquals(b.size(), inv.size());
        assertFalse(inv.hasLabels());
        for (int i = 0; i < b.size(); i++) {
            byte[] x = b.image(i), y = inv.image(i), f = flip.image(i);
            for (int k = 0; k < x.length; k++) assertEquals(255 - (x[k] & 0xFF), y[k] & 0xFF);
            // row r of channel c is row h − 1 − r
            for (int c = 0; c < 3; c++)
                for (int r = 0; r < 4; r++)
                    for (int col = 0; col < 5; col++) assertEquals(x[(c * 4 + r) * 5 + col], f[(c * 4 + (3 - r)) * 5 + col]);
        }
    }

    @Test
    void noiseIsReproducibleAndCoversTheRange() {
        byte[] big = new byte[1000 * 784];
        Dataset b = Dataset.of("big", 1, 28, 28, big, new int[1000], List.of("a", "b"));
        Dataset n1 = SyntheticOod.of("noise", b, 5), n2 = SyntheticOod.of("noise", b, 5), n3 = SyntheticOod.of("noise", b, 6);
        double sum = 0;
        int[] hist = new int[4];
        for (int i = 0; i < 1000; i++) {
            assertArrayEquals(n1.image(i), n2.image(i));
            for (byte v : n1.image(i)) { sum += v & 0xFF; hist[(v & 0xFF) >> 6]++; }
        }
        assertFalse(java.util.Arrays.equals(n1.image(0), n3.image(0)), "another seed, other noise");
        double mean = sum / (1000 * 784);
        assertEquals(127.5, mean, 0.5);
        for (int h : hist) assertEquals(1000 * 784 / 4.0, h, 2000, "each quarter of 0..255 equally often");
        assertThrows(IllegalArgumentException.class, () -> SyntheticOod.of("bogus", b, 1));
        assertTrue(SyntheticOod.isKind("Noise"));
        assertFalse(SyntheticOod.isKind("data/mnist"));
    }
}
