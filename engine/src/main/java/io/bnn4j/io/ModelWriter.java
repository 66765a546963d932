package io.bnn4j.io;

import io.bnn4j.BnnInputException;
import io.bnn4j.Version;
import io.bnn4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes a model file (docs/FORMAT.md): metadata plus named tensors, atomically.
 *
 * <pre>{@code
 * new ModelWriter()
 *     .metadata(m -> m.put(ModelKeys.ARCH, "lenet5"))
 *     .add("conv1.weight.mu", muTensor)
 *     .addBytes("conv1.weight.mask", mask, 6, 1, 5, 5)
 *     .write(Path.of("model.bnn"));
 * }</pre>
 *
 * Tensors are referenced, not copied, until {@link #write}: keep them alive until then. Each
 * tensor is stored in the smallest of the three encodings unless {@link #encoding} forces one.
 * The write goes to a temporary file in the target's directory, is forced to disk, then renamed
 * over the target with {@link StandardCopyOption#ATOMIC_MOVE}: readers see the old file or the
 * new one, never a half-written one; on any failure the temporary file is deleted.
 */
public final class ModelWriter {

    private final Metadata metadata = new Metadata();
    private final List<Source> tensors = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private Encoding forced;   // null: automatic

    /** One tensor to write: {@code count} elements of {@code dtype} at {@code byteOffset} of {@code seg}, native order. */
    private record Source(String name, DType dtype, int[] shape, long count, MemorySegment seg, long byteOffset) {
        /** Raw bits of element i (4-byte types) or its byte (uint8), as an int. */
        int bits(long i) {
            return dtype.bytes == 4
                    ? seg.get(ValueLayout.JAVA_INT_UNALIGNED, byteOffset + i * 4)
                    : seg.get(ValueLayout.JAVA_BYTE, byteOffset + i);
        }
    }

    /** The metadata to write; edit it in place. */
    public Metadata metadata() {
        return metadata;
    }

    /** Edits the metadata inline: {@code metadata(m -> m.put("arch", "lenet5"))}. */
    public ModelWriter metadata(java.util.function.Consumer<Metadata> edit) {
        edit.accept(metadata);
        return this;
    }

    /** Forces every tensor into {@code encoding}; null (the default) picks the smallest per tensor. */
    public ModelWriter encoding(Encoding encoding) {
        this.forced = encoding;
        return this;
    }

    /** A float32 tensor, stored with its own shape. */
    public ModelWriter add(String name, Tensor t) {
        return add(name, DType.FLOAT32, t.segment(), t.offset() * Float.BYTES, t.shape());
    }

    public ModelWriter addFloats(String name, float[] values, int... shape) {
        checkLength(name, values.length, shape);
        return add(name, DType.FLOAT32, MemorySegment.ofArray(values), 0, shape);
    }

    public ModelWriter addInts(String name, int[] values, int... shape) {
        checkLength(name, values.length, shape);
        return add(name, DType.INT32, MemorySegment.ofArray(values), 0, shape);
    }

    /** A uint8 tensor (e.g. a 0/1 mask); bytes are read as unsigned. */
    public ModelWriter addBytes(String name, byte[] values, int... shape) {
        checkLength(name, values.length, shape);
        return add(name, DType.UINT8, MemorySegment.ofArray(values), 0, shape);
    }

    /** The general form: elements of {@code dtype} in native byte order from {@code byteOffset} of {@code seg}. */
    public ModelWriter add(String name, DType dtype, MemorySegment seg, long byteOffset, int... shape) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must be a non-empty string");
        if (!names.add(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
        long count = checkShape(name, shape);
        if (byteOffset < 0 || byteOffset + count * dtype.bytes > seg.byteSize()) {
            names.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "': " + count + " elements at byte " + byteOffset
                    + " do not fit a segment of " + seg.byteSize() + " bytes");
        }
        tensors.add(new Source(name, dtype, shape.clone(), count, seg, byteOffset));
        return this;
    }

    private static long checkShape(String name, int[] shape) {
        if (shape.length < 1 || shape.length > ModelFile.MAX_RANK) {
            throw new IllegalArgumentException("tensor '" + name + "': rank must be 1 to " + ModelFile.MAX_RANK + ", got " + shape.length);
        }
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
        }
        long n = ModelFile.elementCount(shape);
        if (n > ModelFile.MAX_ELEMENTS) {
            throw new IllegalArgumentException("tensor '" + name + "': more than " + ModelFile.MAX_ELEMENTS + " elements");
        }
        return n;
    }

    private static void checkLength(String name, int length, int[] shape) {
        long n = checkShape(name, shape);
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + length + " values for shape " + Arrays.toString(shape));
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes the file atomically and returns its size in bytes. Fills in
     * {@link ModelKeys#BNN4J_VERSION} when the metadata lacks it.
     *
     * @throws BnnInputException when the target's directory does not exist or the target is a
     *                           directory (checked before any work)
     * @throws IOException       when writing fails (the target is then untouched)
     */
    public long write(Path target) throws IOException {
        checkTarget(target);
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (!metadata.has(ModelKeys.BNN4J_VERSION)) metadata.put(ModelKeys.BNN4J_VERSION, Version.get());
        Map<String, Object> meta = metadata.asMap();
        // Encode every string up front: a lone surrogate fails here, before any file exists.
        for (var e : meta.entrySet()) {
            utf8(e.getKey(), "metadata key");
            if (e.getValue() instanceof String s) utf8(s, "metadata '" + e.getKey() + "'");
            if (e.getValue() instanceof List<?> l) for (Object s : l) utf8((String) s, "metadata '" + e.getKey() + "'");
        }
        for (Source s : tensors) utf8(s.name, "tensor name");

        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            long size;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Out out = new Out(ch);
                out.bytes(ModelFile.MAGIC);
                out.u32(ModelFile.FORMAT_VERSION);
                out.u32(0);                                   // flags, reserved
                out.u32(meta.size());
                out.u32(tensors.size());
                for (var e : meta.entrySet()) writeEntry(out, e.getKey(), e.getValue());
                for (Source s : tensors) writeTensor(out, s);
                out.finish();
                ch.force(true);
                size = ch.size();
            }
            // createTempFile makes the file 0600; a model file gets the usual rw-r--r--.
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // not a POSIX file system: keep what it gave
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + target + ": the file system does not support atomic rename", e);
            }
            done = true;
            syncDirectory(dir);
            return size;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** The checks done before any work: the directory exists, the target is not a directory. */
    static void checkTarget(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.exists(dir)) {
            throw new BnnInputException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new BnnInputException("cannot write " + target + ": " + dir + " is not a directory");
        }
        if (Files.isDirectory(abs)) {
            throw new BnnInputException("cannot write " + target + ": it is a directory");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new BnnInputException("cannot write " + target + ": it exists and is not a regular file");
        }
    }

    /** Makes the rename durable; not every platform can open a directory, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the data itself is already forced
        }
    }

    private static byte[] utf8(String s, String what) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (a lone surrogate?): " + s);
        }
    }

    private static void writeEntry(Out out, String key, Object value) throws IOException {
        out.str(key);
        out.u8(Metadata.typeCode(value));
        switch (value) {
            case String s -> out.str(s);
            case Long l -> out.u64(l);
            case Double d -> out.u64(Double.doubleToRawLongBits(d));
            case List<?> list -> {
                out.u32(list.size());
                for (Object s : list) out.str((String) s);
            }
            default -> throw new IllegalStateException("unexpected metadata value " + value.getClass());
        }
    }

    private void writeTensor(Out out, Source s) throws IOException {
        long nonzeros = 0;
        for (long i = 0; i < s.count; i++) if (s.bits(i) != 0) nonzeros++;
        Encoding enc = forced != null ? forced : Encoding.smallest(s.count, nonzeros, s.dtype);
        out.str(s.name);
        out.u8(s.dtype.code);
        out.u8(enc.code);
        out.u8(s.shape.length);
        out.u8(0);                                            // reserved
        for (int d : s.shape) out.u32(d);
        out.u64(enc.payloadBytes(s.count, nonzeros, s.dtype));
        switch (enc) {
            case DENSE -> {
                for (long i = 0; i < s.count; i++) out.element(s.dtype, s.bits(i));
            }
            case SPARSE_BITMAP -> {
                out.u64(nonzeros);
                for (long base = 0; base < s.count; base += 8) {
                    int bits = 0;
                    for (int b = 0; b < 8 && base + b < s.count; b++) if (s.bits(base + b) != 0) bits |= 1 << b;
                    out.u8(bits);
                }
                for (long i = 0; i < s.count; i++) {
                    int v = s.bits(i);
                    if (v != 0) out.element(s.dtype, v);
                }
            }
            case SPARSE_INDICES -> {
                out.u64(nonzeros);
                for (long i = 0; i < s.count; i++) if (s.bits(i) != 0) out.u32((int) i);
                for (long i = 0; i < s.count; i++) {
                    int v = s.bits(i);
                    if (v != 0) out.element(s.dtype, v);
                }
            }
        }
    }

    /** A little-endian buffered writer that checksums everything it writes. */
    private static final class Out {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        Out(FileChannel ch) {
            this.ch = ch;
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) flush();
        }

        private void flush() throws IOException {
            buf.flip();
            crc.update(buf.duplicate());
            while (buf.hasRemaining()) ch.write(buf);
            buf.clear();
        }

        void u8(int v) throws IOException { room(1); buf.put((byte) v); }

        void u32(int v) throws IOException { room(4); buf.putInt(v); }

        void u64(long v) throws IOException { room(8); buf.putLong(v); }

        void element(DType t, int bits) throws IOException {
            if (t.bytes == 4) u32(bits); else u8(bits);
        }

        void bytes(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                room(1);
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void str(String s) throws IOException {
            byte[] b = utf8(s, "string");
            u32(b.length);
            bytes(b);
        }

        /** Writes the checksum of everything so far, then flushes. */
        void finish() throws IOException {
            flush();
            buf.putInt((int) crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) ch.write(buf);
        }
    }
}
