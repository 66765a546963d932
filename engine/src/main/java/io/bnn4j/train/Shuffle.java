package io.bnn4j.train;

import io.bnn4j.random.Philox;

/**
 * Seeded permutations from the counter-based generator: Fisher-Yates where swap i (from the
 * top) takes 64 bits of Philox block i of the given stream, reduced modulo i + 1 (bias below
 * 2^-32 for any array a Java program can hold).
 */
public final class Shuffle {

    private Shuffle() {}

    /** Permutes {@code a} in place, as a pure function of (seed, stream). */
    public static void shuffle(int[] a, long seed, long stream) {
        int[] w = new int[4];
        for (int i = a.length - 1; i > 0; i--) {
            Philox.words(seed, stream, i, w);
            long bits = ((long) w[0] << 32) ^ (w[1] & 0xFFFFFFFFL);
            int j = (int) Long.remainderUnsigned(bits, i + 1L);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
