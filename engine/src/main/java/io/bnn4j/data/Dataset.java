package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import io.bnn4j.random.Philox;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An immutable set of images, optionally labelled, stored compactly at native resolution.
 *
 * <h2>Storage</h2>
 * Pixels are unsigned bytes (0..255) in one heap {@code byte[]} laid out (n, c, h, w): a
 * Fashion-MNIST training set is 47 MB, CIFAR-10's 154 MB. Heap rather than off-heap because
 * the bytes are only ever read, by {@link #writeBatch}, which converts them into the float
 * input tensor (off-heap) anyway: a heap array needs no arena, so an immutable dataset can be
 * shared by any threads and simply dropped; tight loops over heap arrays compile best; and
 * the GC frees a dataset when the last view goes. The cost is the Java array limit: at most
 * {@link #MAX_PIXEL_BYTES} bytes of pixels (about 2 GiB: 700,000 CIFAR images), which every
 * loader checks before allocating.
 *
 * <p>{@link #subset}, {@link #limit} and {@link #split} make <em>views</em>: they share the
 * pixel and label arrays and hold only an index list (4 bytes per image), so splitting a
 * dataset copies no pixels.
 *
 * <h2>Model input</h2>
 * {@link #writeBatch} and {@link #writeImage} write floats in [0, 1] shaped (C, H, W) for the
 * model's input, converting channels (gray → RGB replicates, RGB → gray takes BT.601
 * luminance) and size ({@link ImageTransform#PAD}, the default, or
 * {@link ImageTransform#RESIZE}). They allocate nothing per image.
 *
 * <p>Channel counts are 1 (gray) or 3 (RGB, planes in R, G, B order).
 */
public final class Dataset {

    /** The most pixel bytes one dataset can hold (the JVM's array size limit). */
    public static final int MAX_PIXEL_BYTES = Integer.MAX_VALUE - 8;

    private final String source;
    private final int channels, height, width, imageBytes;
    private final byte[] pixels;   // (base images, c, h, w) unsigned, shared between views
    private final int[] labels;    // (base images) or null when unlabelled, shared between views
    private final int[] rows;      // (n): image i of this view is base image rows[i]
    private final List<String> classNames;
    private volatile String digest;
    private volatile Sampler sampler;   // the last target shape asked for

    private Dataset(String source, int channels, int height, int width, byte[] pixels, int[] labels, int[] rows,
                    List<String> classNames) {
        this.source = source;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageBytes = channels * height * width;
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.classNames = classNames;
    }

    /**
     * A labelled dataset holding copies of {@code pixels} (n, c, h, w) and {@code labels} (n),
     * with n = labels.length.
     *
     * @param source a short description for messages and reports, e.g. the directory
     * @throws IllegalArgumentException when the sizes disagree or a label is outside
     *         0 .. classNames.size() − 1
     */
    public static Dataset of(String source, int channels, int height, int width, byte[] pixels, int[] labels,
                             List<String> classNames) {
        return wrap(source, channels, height, width, pixels.clone(), labels.clone(), List.copyOf(classNames));
    }

    /** An unlabelled dataset (images to predict) holding a copy of {@code pixels} (n, c, h, w). */
    public static Dataset unlabelled(String source, int channels, int height, int width, byte[] pixels) {
        return wrap(source, channels, height, width, pixels.clone(), null, List.of());
    }

    /** Takes ownership of the arrays without copying: for loaders, which just made them. */
    static Dataset wrap(String source, int channels, int height, int width, byte[] pixels, int[] labels,
                        List<String> classNames) {
        Objects.requireNonNull(source, "source");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size " + height + "x" + width + " must be positive");
        }
        long imageBytes = (long) channels * height * width;
        if (pixels.length % imageBytes != 0) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes is not a whole number of "
                    + channels + "x" + height + "x" + width + " images");
        }
        int n = (int) (pixels.length / imageBytes);
        List<String> names = List.copyOf(classNames);
        if (labels != null) {
            if (labels.length != n) {
                throw new IllegalArgumentException(labels.length + " labels for " + n + " images");
            }
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= names.size()) {
                    throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside 0.."
                            + (names.size() - 1));
                }
            }
        } else if (!names.isEmpty()) {
            throw new IllegalArgumentException("an unlabelled dataset has no class names");
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return new Dataset(source, channels, height, width, pixels, labels, rows, names);
    }

    // ------------------------------------------------------------------ shape and labels

    /** Where the images came from (a directory or file and the split), for messages. */
    public String source() { return source; }

    /** The number of images. */
    public int size() { return rows.length; }

    public int channels() { return channels; }

    public int height() { return height; }

    public int width() { return width; }

    /** Bytes per stored image: c·h·w. */
    public int imageBytes() { return imageBytes; }

    public boolean hasLabels() { return labels != null; }

    /** The number of classes (0 when unlabelled). */
    public int numClasses() { return classNames.size(); }

    /** The class names, indexed by label; empty when unlabelled. */
    public List<String> classNames() { return classNames; }

    /** The label of image i, in 0 .. numClasses − 1. */
    public int label(int i) {
        requireLabels();
        return labels[rows[Objects.checkIndex(i, rows.length)]];
    }

    /** All labels, in image order (a fresh array). */
    public int[] labels() {
        requireLabels();
        int[] out = new int[rows.length];
        for (int i = 0; i < out.length; i++) out[i] = labels[rows[i]];
        return out;
    }

    /** dst[dstOff + k] = label(indices[from + k]) for k in 0 .. count − 1: a minibatch's targets. */
    public void labels(int[] indices, int from, int count, int[] dst, int dstOff) {
        requireLabels();
        Objects.checkFromIndexSize(from, count, indices.length);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        for (int k = 0; k < count; k++) {
            dst[dstOff + k] = labels[rows[Objects.checkIndex(indices[from + k], rows.length)]];
        }
    }

    /** How many images each class has: (numClasses). */
    public int[] classCounts() {
        requireLabels();
        int[] counts = new int[classNames.size()];
        for (int r : rows) counts[labels[r]]++;
        return counts;
    }

    private void requireLabels() {
        if (labels == null) throw new IllegalStateException(source + ": this dataset has no labels");
    }

    /** Pixel (c, y, x) of image i, 0..255. */
    public int pixel(int i, int c, int y, int x) {
        Objects.checkIndex(c, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixels[base(i) + (c * height + y) * width + x] & 0xFF;
    }

    /** A copy of image i's bytes, (c, h, w). */
    public byte[] image(int i) {
        int b = base(i);
        return Arrays.copyOfRange(pixels, b, b + imageBytes);
    }

    private int base(int i) {
        return rows[Objects.checkIndex(i, rows.length)] * imageBytes;
    }

    // ------------------------------------------------------------------ views

    /** The images at {@code indices}, in that order (repeats allowed); shares this one's memory. */
    public Dataset subset(int[] indices) {
        int[] sub = new int[indices.length];
        for (int k = 0; k < indices.length; k++) sub[k] = rows[Objects.checkIndex(indices[k], rows.length)];
        return new Dataset(source, channels, height, width, pixels, labels, sub, classNames);
    }

    /** The first min(n, size()) images. */
    public Dataset limit(int n) {
        if (n < 0) throw new BnnInputException(source + ": a limit of " + n + " images is negative");
        if (n >= rows.length) return this;
        return new Dataset(source, channels, height, width, pixels, labels, Arrays.copyOf(rows, n), classNames);
    }

    /**
     * Holds out a random {@code validFraction} of the images for validation.
     *
     * <p>The validation part has round(validFraction·n) images, but never all of them: a
     * fraction below 1 always leaves at least one training image (when n ≥ 1). Which images
     * go where is a pure function of (seed, n): a Fisher-Yates shuffle driven by Philox
     * stream {@link #SPLIT_STREAM} under {@code seed}, so it is the same on every JVM and
     * machine. The first part of the shuffle is the validation set. Both parts keep the
     * original image order (sorted indices), which keeps memory access sequential; the
     * trainer shuffles each epoch anyway.
     *
     * @param validFraction in [0, 1)
     */
    public TrainValid split(double validFraction, long seed) {
        if (!(validFraction >= 0 && validFraction < 1)) {
            throw new BnnInputException("validation fraction must be in [0, 1), got " + validFraction);
        }
        int n = rows.length;
        int nValid = (int) Math.min(n, Math.round(validFraction * n));
        if (nValid == n && n > 0) nValid = n - 1;
        int[] perm = permutation(n, seed);
        int[] valid = Arrays.copyOfRange(perm, 0, nValid);
        int[] train = Arrays.copyOfRange(perm, nValid, n);
        Arrays.sort(valid);
        Arrays.sort(train);
        return new TrainValid(subset(train), subset(valid));
    }

    /** The Philox stream that {@link #split} draws from ("SPLIT" in ASCII). */
    public static final long SPLIT_STREAM = 0x53504C4954L;

    /**
     * A uniformly random permutation of 0 .. n − 1, a pure function of (n, seed): Fisher-Yates
     * from the top, the swap partner of position i drawn from Philox word i of stream
     * {@link #SPLIT_STREAM} as ⌊word·(i + 1) / 2³²⌋ (bias below n / 2³², negligible).
     */
    static int[] permutation(int n, long seed) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        int[] w = new int[4];
        long loaded = -1;
        for (int i = n - 1; i > 0; i--) {
            long block = i >>> 2;
            if (block != loaded) {
                Philox.words(seed, SPLIT_STREAM, block, w);
                loaded = block;
            }
            int j = (int) (((w[i & 3] & 0xFFFFFFFFL) * (i + 1L)) >>> 32);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    // ------------------------------------------------------------------ digest

    /**
     * SHA-256 (lower-case hex) of the content, for model-file provenance: the ASCII text
     * {@code "bnn4j-dataset-v1"}, then n, c, h, w and 1/0 for labelled as 32-bit big-endian
     * integers, then every image's bytes in order, then every label as a 32-bit big-endian
     * integer. Class names and {@link #source()} do not enter it. Computed once, then cached.
     */
    public String digest() {
        String d = digest;
        if (d == null) {
            MessageDigest sha = sha256();
            sha.update("bnn4j-dataset-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sha.update(ints(rows.length, channels, height, width, labels == null ? 0 : 1));
            boolean identity = rows.length * (long) imageBytes == pixels.length;
            for (int i = 0; identity && i < rows.length; i++) identity = rows[i] == i;
            if (identity) {
                sha.update(pixels);
            } else {
                for (int r : rows) sha.update(pixels, r * imageBytes, imageBytes);
            }
            if (labels != null) sha.update(ints(labels()));
            digest = d = HexFormat.of().formatHex(sha.digest());
        }
        return d;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] ints(int... values) {
        byte[] out = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            out[4 * i] = (byte) (v >>> 24);
            out[4 * i + 1] = (byte) (v >>> 16);
            out[4 * i + 2] = (byte) (v >>> 8);
            out[4 * i + 3] = (byte) v;
        }
        return out;
    }

    // ------------------------------------------------------------------ model input

    /** Whether a model with {@code targetChannels} inputs can take these images. */
    public boolean canConvertTo(int targetChannels) {
        return Sampler.canConvert(channels, targetChannels);
    }

    /**
     * Writes image i as model input: (targetC, targetH, targetW) floats in [0, 1] at float
     * offset {@code dstOff} of {@code dst} (native byte order, as {@link io.bnn4j.tensor.Tensor}).
     *
     * @throws BnnInputException when the channel counts cannot be converted (only 1 ↔ 3)
     */
    public void writeImage(int i, MemorySegment dst, long dstOff, int targetC, int targetH, int targetW,
                           ImageTransform transform) {
        writeBatch(new int[] {i}, 0, 1, dst, dstOff, targetC, targetH, targetW, transform);
    }

    /**
     * Writes images indices[from], …, indices[from + count − 1] one after another as a
     * minibatch: (count, targetC, targetH, targetW) floats in [0, 1] starting at float offset
     * {@code dstOff} of {@code dst}. Allocates one scratch image per call, nothing per image.
     * Safe to call from several threads at once.
     *
     * @throws IndexOutOfBoundsException when an index or the destination range is out of bounds
     * @throws BnnInputException when the channel counts cannot be converted (only 1 ↔ 3)
     */
    public void writeBatch(int[] indices, int from, int count, MemorySegment dst, long dstOff, int targetC,
                           int targetH, int targetW, ImageTransform transform) {
        Objects.checkFromIndexSize(from, count, indices.length);
        Sampler s = sampler(targetC, targetH, targetW, transform);
        int per = s.outputFloats();
        if (dstOff < 0 || (dstOff + (long) count * per) * Float.BYTES > dst.byteSize()) {
            throw new IndexOutOfBoundsException("a batch of " + count + " images of " + per + " floats at float offset "
                    + dstOff + " does not fit a segment of " + dst.byteSize() / Float.BYTES + " floats");
        }
        float[] scratch = new float[per];
        for (int k = 0; k < count; k++) {
            s.render(pixels, base(indices[from + k]), scratch, 0);
            MemorySegment.copy(scratch, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED, (dstOff + (long) k * per) * Float.BYTES,
                    per);
        }
    }

    /** Image i as model input in a new array: (targetC, targetH, targetW) floats in [0, 1]. */
    public float[] toFloats(int i, int targetC, int targetH, int targetW, ImageTransform transform) {
        Sampler s = sampler(targetC, targetH, targetW, transform);
        float[] out = new float[s.outputFloats()];
        s.render(pixels, base(i), out, 0);
        return out;
    }

    private Sampler sampler(int c, int h, int w, ImageTransform t) {
        Sampler s = sampler;
        if (s == null || !s.matches(c, h, w, t)) {
            sampler = s = new Sampler(channels, height, width, c, h, w, t, source);
        }
        return s;
    }

    @Override
    public String toString() {
        return "Dataset[" + source + ": " + rows.length + " images " + channels + "x" + height + "x" + width
                + (labels == null ? ", unlabelled" : ", " + classNames.size() + " classes") + "]";
    }
}
