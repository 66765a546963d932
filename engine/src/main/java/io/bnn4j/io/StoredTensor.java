package io.bnn4j.io;

import io.bnn4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor read from a model file: its name, type, shape, how it was stored, and its
 * elements decoded (dense, in native byte order) into the caller's arena.
 *
 * @param name       e.g. "conv1.weight.mu"
 * @param dtype      element type
 * @param shape      rank 1 to 4, row-major
 * @param encoding   how the file stored it
 * @param storedBytes payload bytes in the file (for sparse encodings, smaller than dense)
 * @param nonzeros   elements whose bit pattern is not all zeros (-0.0f counts as nonzero)
 * @param data       {@code elementCount() * dtype.bytes} bytes in the caller's arena
 */
public record StoredTensor(String name, DType dtype, int[] shape, Encoding encoding, long storedBytes,
                           long nonzeros, MemorySegment data) {

    public StoredTensor {
        Objects.requireNonNull(name);
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The data as a float32 {@link Tensor} over the arena's memory (no copy). */
    public Tensor tensor() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype.label() + ", not float32: use toFloatTensor");
        }
        return Tensor.wrap(data, 0, shape);
    }

    /** A float32 copy of any dtype in {@code arena} (masks become 0/1 floats). */
    public Tensor toFloatTensor(Arena arena) {
        Tensor t = Tensor.allocate(arena, shape);
        long n = elementCount();
        for (long i = 0; i < n; i++) t.setFlat(i, floatAt(i));
        return t;
    }

    /** Element {@code i} (flattened) converted to float. */
    public float floatAt(long i) {
        Objects.checkIndex(i, elementCount());
        return switch (dtype) {
            case FLOAT32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case INT32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
            case UINT8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
        };
    }

    /** Element {@code i} of an int32 or uint8 tensor. */
    public int intAt(long i) {
        Objects.checkIndex(i, elementCount());
        return switch (dtype) {
            case INT32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
            case UINT8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
            case FLOAT32 -> throw new IllegalStateException("tensor '" + name + "' is float32: use floatAt");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && encoding == t.encoding && storedBytes == t.storedBytes && nonzeros == t.nonzeros && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), encoding);
    }

    @Override
    public String toString() {
        return name + " " + dtype.label() + Arrays.toString(shape) + " " + encoding.label();
    }
}
