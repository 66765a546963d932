package io.bnn4j.data;

/**
 * How an image of native size (h, w) becomes a model input of size (H, W).
 *
 * <ul>
 *   <li>{@link #PAD} (the default): centred zero padding, top = left = ⌊(H − h)/2⌋; a 28×28
 *       image sits in the middle of a 32×32 input with a 2-pixel black frame, the classic
 *       LeNet-5 input and what the PyTorch anchor ({@code F.pad(x, (2, 2, 2, 2))}) trains on.
 *       When the target is smaller than the image on an axis the same rule becomes a centred
 *       crop (negative padding). Pixel values are never interpolated.</li>
 *   <li>{@link #RESIZE}: bilinear resampling with half-pixel centres, identical to PyTorch's
 *       {@code F.interpolate(mode='bilinear', align_corners=False, antialias=False)}: source
 *       coordinate = (dst + 0.5)·(in/out) − 0.5, clamped at 0 below and at the last pixel
 *       above. No anti-aliasing when shrinking (as PyTorch's default).</li>
 * </ul>
 * When (H, W) equals (h, w) both are the identity.
 */
public enum ImageTransform {
    PAD,
    RESIZE
}
