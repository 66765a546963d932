package io.bnn4j.uncertainty;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class OodTransformsTest {

    // One image, 2 channels, 2 rows, 3 columns: x[c][i][j] = 100c + 10i + j.
    private static final float[] X = {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112};

    @Test
    void flipsMirrorEachPlane() {
        assertArrayEquals(new float[]{2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110},
                OodTransforms.flipHorizontal(X, 1, 2, 2, 3));
        assertArrayEquals(new float[]{10, 11, 12, 0, 1, 2, 110, 111, 112, 100, 101, 102},
                OodTransforms.flipVertical(X, 1, 2, 2, 3));
        // Two images of one channel: flipping works per image, not across the batch.
        assertArrayEquals(new float[]{1, 0, 3, 2, 5, 4, 7, 6}, OodTransforms.flipHorizontal(new float[]{0, 1, 2, 3, 4, 5, 6, 7}, 2, 1, 2, 2));
        assertArrayEquals(new float[]{2, 3, 0, 1, 6, 7, 4, 5}, OodTransforms.flipVertical(new float[]{0, 1, 2, 3, 4, 5, 6, 7}, 2, 1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> OodTransforms.flipVertical(X, 1, 2, 2, 2));
        assertEquals(0f, X[0]);   // input untouched
    }

    @Test
    void invertIsOneMinusX() {
        assertArrayEquals(new float[]{1f, 0.75f, 0f}, OodTransforms.invert(new float[]{0f, 0.25f, 1f}));
    }

    @Test
    void noiseIsUniformInTheOpenUnitIntervalAndReproducible() {
        float[] a = OodTransforms.uniformNoise(3, 1, 7, 9, 11);
        assertEquals(3 * 7 * 9, a.length);
        double sum = 0;
        for (float v : a) { assertTrue(v > 0 && v < 1); sum += v; }
        // Mean of 189 uniforms: sd 0.29/sqrt(189) = 0.021; 0.1 is more than 4 sd.
        assertEquals(0.5, sum / a.length, 0.1);
        assertArrayEquals(a, OodTransforms.uniformNoise(3, 1, 7, 9, 11));
        assertFalse(java.util.Arrays.equals(a, OodTransforms.uniformNoise(3, 1, 7, 9, 12)));
        assertEquals(0, OodTransforms.uniformNoise(0, 1, 28, 28, 1).length);
        assertThrows(IllegalArgumentException.class, () -> OodTransforms.uniformNoise(-1, 1, 2, 2, 1));
    }
}
