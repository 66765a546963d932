package io.bnn4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 tensor: a shape over a contiguous row-major run of floats in an off-heap
 * {@link MemorySegment}.
 *
 * <h2>Shapes</h2>
 * Rank 1 to 4. The dimension letters are fixed across the code base: N (batch), C (channels),
 * H, W (height, width) for images; rows × cols for matrices. Strides are always row-major and
 * contiguous, so a tensor is fully described by its segment, an element offset and its shape.
 *
 * <h2>Memory ownership</h2>
 * <ul>
 *   <li>{@link #allocate(Arena, int...)}: the tensor lives in the caller's arena and is freed
 *       when that arena closes. {@link #close()} on such a tensor is refused: the arena's
 *       owner (a model, a training run, a request's scratch) closes the arena. Use a shared
 *       arena ({@link Arena#ofShared()}) for tensors that parallel kernels touch: a confined
 *       arena's memory may only be used by the thread that made it.</li>
 *   <li>{@link #zeros(int...)}: the tensor owns a private shared arena; {@link #close()} frees
 *       it. Closing twice throws {@link IllegalStateException}.</li>
 *   <li>{@link #view(int...)}, {@link #slice(int, int)}, {@link #select(int)}: views share
 *       their parent's memory without copying and never own it; they die with it.</li>
 * </ul>
 * Any use of a tensor whose memory has been freed throws {@link IllegalStateException} (the
 * FFM runtime checks liveness on every access), never a crash.
 *
 * <p>Bounds are checked here, at the API; kernels receive raw segments and offsets and do not
 * check per element.
 */
public final class Tensor implements AutoCloseable {

    private final MemorySegment segment;
    private final long offset;        // in floats
    private final int[] shape;
    private final long size;
    private final Arena ownedArena;   // non-null only for tensors made by zeros(...)
    private boolean closed;

    private Tensor(MemorySegment segment, long offset, int[] shape, Arena ownedArena) {
        this.segment = segment;
        this.offset = offset;
        this.shape = shape;
        this.size = elementCount(shape);
        this.ownedArena = ownedArena;
        long needed = (offset + size) * Float.BYTES;
        if (offset < 0 || needed > segment.byteSize()) {
            throw new IndexOutOfBoundsException("tensor of shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit a segment of " + segment.byteSize() / Float.BYTES + " floats");
        }
    }

    /** A zeroed tensor in {@code arena}; the arena's owner frees it. */
    public static Tensor allocate(Arena arena, int... shape) {
        int[] s = checkShape(shape);
        long bytes = elementCount(s) * Float.BYTES;
        MemorySegment seg = arena.allocate(Math.max(bytes, 1), 64);
        return new Tensor(seg, 0, s, null);
    }

    /** A zeroed tensor that owns its memory: {@link #close()} frees it. */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape(shape);
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate(Math.max(elementCount(s) * Float.BYTES, 1), 64);
        return new Tensor(seg, 0, s, arena);
    }

    /** A tensor holding a copy of {@code values}, owning its memory. */
    public static Tensor of(float[] values, int... shape) {
        Tensor t = zeros(shape);
        t.copyFrom(values);
        return t;
    }

    /** A view over existing memory: {@code segment} from float index {@code offset}. Not owned. */
    public static Tensor wrap(MemorySegment segment, long offset, int... shape) {
        return new Tensor(segment, offset, checkShape(shape), null);
    }

    private static int[] checkShape(int[] shape) {
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor rank must be 1 to 4, got " + shape.length);
        }
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        return shape.clone();
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) n = Math.multiplyExact(n, (long) d);
        return n;
    }

    // ------------------------------------------------------------------ geometry

    public int rank() { return shape.length; }

    public int[] shape() { return shape.clone(); }

    public int dim(int axis) { return shape[axis]; }

    /** Number of elements. */
    public long size() { return size; }

    /** Row-major strides, in elements. */
    public long[] strides() {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= shape[i]; }
        return st;
    }

    /** The backing segment (shared with views). Kernels index it from {@link #offset()}. */
    public MemorySegment segment() { checkAlive(); return segment; }

    /** Offset of element 0 within {@link #segment()}, in floats. */
    public long offset() { return offset; }

    // ------------------------------------------------------------------ views

    /** The same elements under another shape with the same element count. */
    public Tensor view(int... newShape) {
        checkAlive();
        int[] s = checkShape(newShape);
        if (elementCount(s) != size) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(shape) + " (" + size + " elements) as "
                    + Arrays.toString(s));
        }
        return new Tensor(segment, offset, s, null);
    }

    /** Rows {@code [from, to)} along the first axis, without copying. */
    public Tensor slice(int from, int to) {
        checkAlive();
        if (from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of first axis of size " + shape[0]);
        }
        int[] s = shape.clone();
        s[0] = to - from;
        long inner = size / Math.max(shape[0], 1);
        return new Tensor(segment, offset + from * inner, s, null);
    }

    /** Index {@code i} of the first axis, dropping that axis (rank must be ≥ 2). */
    public Tensor select(int i) {
        if (shape.length < 2) throw new IllegalArgumentException("select needs rank >= 2, got " + shape.length);
        Tensor row = slice(i, i + 1);
        return new Tensor(segment, row.offset, Arrays.copyOfRange(shape, 1, shape.length), null);
    }

    // ------------------------------------------------------------------ element access (API-level, checked)

    public float get(int... index) {
        checkAlive();
        return segment.getAtIndex(ValueLayout.JAVA_FLOAT, offset + flatIndex(index));
    }

    public void set(float value, int... index) {
        checkAlive();
        segment.setAtIndex(ValueLayout.JAVA_FLOAT, offset + flatIndex(index), value);
    }

    /** Element {@code i} of the flattened tensor. */
    public float getFlat(long i) {
        checkAlive();
        Objects.checkIndex(i, size);
        return segment.getAtIndex(ValueLayout.JAVA_FLOAT, offset + i);
    }

    public void setFlat(long i, float value) {
        checkAlive();
        Objects.checkIndex(i, size);
        segment.setAtIndex(ValueLayout.JAVA_FLOAT, offset + i, value);
    }

    private long flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of rank " + shape.length);
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    // ------------------------------------------------------------------ bulk

    public void fill(float value) {
        checkAlive();
        for (long i = 0; i < size; i++) segment.setAtIndex(ValueLayout.JAVA_FLOAT, offset + i, value);
    }

    public void copyFrom(float[] values) {
        checkAlive();
        if (values.length != size) {
            throw new IllegalArgumentException("copying " + values.length + " values into a tensor of " + size);
        }
        MemorySegment.copy(values, 0, segment, ValueLayout.JAVA_FLOAT, offset * Float.BYTES, values.length);
    }

    public void copyFrom(Tensor src) {
        checkAlive();
        if (src.size != size) throw new IllegalArgumentException("copying " + src.size + " elements into " + size);
        MemorySegment.copy(src.segment(), src.offset * Float.BYTES, segment, offset * Float.BYTES, size * Float.BYTES);
    }

    public float[] toArray() {
        checkAlive();
        if (size > Integer.MAX_VALUE - 8) throw new IllegalStateException("tensor too large for a Java array: " + size);
        float[] out = new float[(int) size];
        MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT, offset * Float.BYTES, out, 0, out.length);
        return out;
    }

    // ------------------------------------------------------------------ lifetime

    /** Whether the memory is still usable. */
    public boolean isAlive() {
        return !closed && segment.scope().isAlive();
    }

    private void checkAlive() {
        if (!isAlive()) throw new IllegalStateException("tensor " + Arrays.toString(shape) + " is closed");
    }

    /**
     * Frees a tensor made by {@link #zeros(int...)} or {@link #of(float[], int...)}.
     * Tensors in a caller's arena, and views, are freed by whoever owns the arena.
     *
     * @throws IllegalStateException if already closed, or if the tensor does not own its memory
     */
    @Override
    public void close() {
        if (ownedArena == null) {
            throw new IllegalStateException("this tensor does not own its memory (a view, or allocated in an arena): close its arena instead");
        }
        synchronized (this) {
            if (closed) throw new IllegalStateException("tensor " + Arrays.toString(shape) + " closed twice");
            closed = true;
        }
        ownedArena.close();
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
