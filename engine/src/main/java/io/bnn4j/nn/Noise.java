package io.bnn4j.nn;

/**
 * Stream ids of the counter-based generator (Philox4x32-10 through Kernels.fillGaussian): every
 * random number is a pure function of (seed, stream, counter), and the stream packs what the
 * number is for, so that numbers never collide and never depend on the thread count:
 * <pre>
 *   stream = kind (4 bits) | step (44 bits) | layer (12 bits) | purpose (4 bits)
 * </pre>
 * The counter is the element's position: for local-reparameterization noise, expanded image e
 * and output element j give e·outSize + j; for a weight draw, sample t and global parameter
 * index i give t·P + i.
 */
public final class Noise {

    /** Kinds. */
    public static final int INIT = 1, TRAIN = 2, PREDICT = 3, DATA = 4;

    /** Purposes. */
    public static final int LRT_OUTPUT = 1, WEIGHT_DRAW = 2, KL_DRAW = 3, INIT_MU = 4, INIT_RHO = 5, SHUFFLE = 6, SPLIT = 7,
            FLIP_IN = 8, FLIP_OUT = 9, DROPOUT_MASK = 10;

    public static final long MAX_STEP = (1L << 44) - 1;

    private Noise() {}

    public static long stream(int kind, long step, int layer, int purpose) {
        if (kind < 0 || kind > 15 || step < 0 || step > MAX_STEP || layer < 0 || layer > 4095 || purpose < 0 || purpose > 15) {
            throw new IllegalArgumentException("stream fields out of range: kind " + kind + " step " + step + " layer " + layer
                    + " purpose " + purpose);
        }
        return ((long) kind << 60) | (step << 16) | ((long) layer << 4) | purpose;
    }
}
