package io.bnn4j.random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Philox4x32-10 against the known-answer vectors of the Random123 distribution
 * ({@code tests/kat_vectors}, lines "philox4x32 10 CTR[0..3] KEY[0..1] OUT[0..3]"), and the
 * mapping from (seed, stream, j) to words and uniforms.
 */
class PhiloxTest {

    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[]{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void wordsPlaceBlockStreamAndSeedInTheDocumentedWords() {
        // counter = (block low, block high, stream low, stream high), key = (seed low, seed high)
        long seed = 0x299f31d0_a4093822L, stream = 0x03707344_13198a2eL, blockIndex = 0x85a308d3_243f6a88L;
        int[] w = new int[4];
        Philox.words(seed, stream, blockIndex, w);
        assertArrayEquals(new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, w);
    }

    @Test
    void uniformsAreExactEquallySpacedAndInsideZeroOne() {
        assertEquals(0x1.0p-24f, Philox.uniform(0));
        assertEquals(1f, Philox.uniform(-1));                 // k = 2²⁴ − 1 → exactly 1, log finite
        assertEquals(0.5f, Philox.uniform(0x7fffff00));        // k = 2²³ − 1 → 2²³·2⁻²⁴
        // Every 24-bit k maps to a distinct float k+1 over 2²⁴: no two collide (the old k + 0.5f did
        // for k ≥ 2²³, where the float spacing is 1).
        for (int k = (1 << 23) - 4; k < (1 << 23) + 8; k++) {
            float u = Philox.uniform(k << 8), next = Philox.uniform((k + 1) << 8);
            assertEquals(0x1.0p-24f, next - u, 0f, "k=" + k);
            assertEquals((k + 1) * 0x1.0p-24, u, 0.0);
        }
    }

    @Test
    void gaussianIsAPureFunctionOfTheIndex() {
        float[] all = new float[103];
        Philox.fillGaussian(7, 3, 5, all, 0, all.length);
        for (int j = 0; j < all.length; j++) {
            assertEquals(all[j], Philox.gaussian(7, 3, 5 + j), 0f, "j=" + j);
        }
        float[] part = new float[50];
        Philox.fillGaussian(7, 3, 5 + 31, part, 0, part.length);
        for (int j = 0; j < part.length; j++) assertEquals(all[31 + j], part[j], 0f);
    }

    @Test
    void gaussianFollowsTheDocumentedBoxMuller() {
        int[] w = new int[4];
        Philox.words(11, 2, 9, w);
        float r0 = (float) Math.sqrt(-2 * Math.log(Philox.uniform(w[0])));
        double a0 = 2 * Math.PI * Philox.uniform(w[1]);         // the angle in double
        float r1 = (float) Math.sqrt(-2 * Math.log(Philox.uniform(w[2])));
        double a1 = 2 * Math.PI * Philox.uniform(w[3]);
        float[] z = new float[4];
        Philox.fillGaussian(11, 2, 36, z, 0, 4);               // elements 36..39 = block 9
        assertEquals(r0 * (float) Math.cos(a0), z[0], 0f);
        assertEquals(r0 * (float) Math.sin(a0), z[1], 0f);
        assertEquals(r1 * (float) Math.cos(a1), z[2], 0f);
        assertEquals(r1 * (float) Math.sin(a1), z[3], 0f);
    }

    @Test
    void rademacherIsTheSignBitOfEachWord() {
        int[] w = new int[4];
        float[] s = new float[12];
        Philox.fillRademacher(4, 6, 8, s, 0, s.length);        // blocks 2, 3, 4
        for (int j = 0; j < s.length; j++) {
            Philox.words(4, 6, (8 + j) >>> 2, w);
            assertEquals(w[(8 + j) & 3] < 0 ? -1f : 1f, s[j]);
        }
    }
}
