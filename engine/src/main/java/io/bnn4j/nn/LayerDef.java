package io.bnn4j.nn;

/** One step of an architecture, before shapes are known. Every conv and dense layer has a bias. */
public sealed interface LayerDef permits LayerDef.Conv, LayerDef.Dense, LayerDef.Act, LayerDef.MaxPool, LayerDef.Flatten {

    /** k×k convolution, square stride and zero padding. */
    record Conv(String name, int outChannels, int kernel, int stride, int pad) implements LayerDef {}

    /** Fully connected layer over the flattened input. */
    record Dense(String name, int outFeatures) implements LayerDef {}

    /** The model's activation function. */
    record Act() implements LayerDef {}

    /** k×k max pooling with a stride, no padding. */
    record MaxPool(int kernel, int stride) implements LayerDef {}

    /** (C, H, W) → (C·H·W, 1, 1), no data movement. */
    record Flatten() implements LayerDef {}
}
