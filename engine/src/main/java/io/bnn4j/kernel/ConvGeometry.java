package io.bnn4j.kernel;

/**
 * The shape of a 2-D convolution over a batch, NCHW layout.
 * x: (n, cIn, h, w); weights: (cOut, cIn, k, k); y: (n, cOut, outH, outW).
 */
public record ConvGeometry(int n, int cIn, int h, int w, int cOut, int k, int stride, int pad) {

    public ConvGeometry {
        if (n < 0 || cIn < 1 || h < 1 || w < 1 || cOut < 1 || k < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + this);
        }
        if (h + 2 * pad < k || w + 2 * pad < k) {
            throw new IllegalArgumentException("kernel " + k + " larger than padded input " + h + "x" + w + " (pad " + pad + ")");
        }
    }

    public int outH() { return (h + 2 * pad - k) / stride + 1; }

    public int outW() { return (w + 2 * pad - k) / stride + 1; }

    /** Floats in one input image: cIn·h·w. */
    public int inputSize() { return cIn * h * w; }

    /** Floats in one output image: cOut·outH·outW. */
    public int outputSize() { return cOut * outH() * outW(); }

    /** Floats in the weight tensor: cOut·cIn·k·k. */
    public int weightSize() { return cOut * cIn * k * k; }

    /** Rows of the im2col matrix (the GEMM K dimension): cIn·k·k. */
    public int patchSize() { return cIn * k * k; }

    /** The same geometry for a batch of {@code batch} images. */
    public ConvGeometry withBatch(int batch) {
        return new ConvGeometry(batch, cIn, h, w, cOut, k, stride, pad);
    }

    /** Multiply-adds of the forward pass, times two: the flop count used for GFLOP/s. */
    public double forwardFlops() {
        return 2.0 * n * cOut * (double) outH() * outW() * patchSize();
    }
}
