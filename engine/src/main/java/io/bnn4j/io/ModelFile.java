package io.bnn4j.io;

import io.bnn4j.BnnInputException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A model file read into memory: its metadata and its tensors (docs/FORMAT.md).
 *
 * <p>{@link #read(Path, Arena)} validates before it allocates: it maps the file, checks the
 * magic bytes and the format version, walks every header checking each count and size against
 * the bytes that are really there (so a header claiming 2^31 tensors or 10^12 elements fails
 * at once), checks the sparse indices, then the CRC32C checksum, and only then decodes the
 * tensors into the caller's arena. Every problem is a {@link BnnInputException} whose one-line
 * message names the file and the problem.
 */
public final class ModelFile {

    /** The first 8 bytes of every model file: 0x89 "BNN4J" CR LF (PNG-style: catches text-mode transfers). */
    static final byte[] MAGIC = {(byte) 0x89, 'B', 'N', 'N', '4', 'J', '\r', '\n'};
    /** The format version this code writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    /** Rank of a stored tensor: 1 to 4. */
    public static final int MAX_RANK = 4;
    /** Elements of one stored tensor, at most (so indices fit a u32 and a Java array). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;
    /** magic + version + flags + metadata count + tensor count. */
    static final int HEADER_BYTES = 24;
    static final int CHECKSUM_BYTES = 4;
    /** The smallest metadata entry: key length, a 1-byte key, type byte, an empty string value. */
    static final int MIN_ENTRY_BYTES = 4 + 1 + 1 + 4;
    /** The smallest tensor entry: name length, 1-byte name, 4 type bytes, one dim, payload length. */
    static final int MIN_TENSOR_BYTES = 4 + 1 + 4 + 4 + 8;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final long fileBytes;
    private final int formatVersion;
    private final Metadata metadata;
    private final Map<String, StoredTensor> tensors;

    private ModelFile(Path path, long fileBytes, int formatVersion, Metadata metadata, Map<String, StoredTensor> tensors) {
        this.path = path;
        this.fileBytes = fileBytes;
        this.formatVersion = formatVersion;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public Path path() { return path; }

    public long fileBytes() { return fileBytes; }

    public int formatVersion() { return formatVersion; }

    public Metadata metadata() { return metadata; }

    /** Every tensor in file order. */
    public List<StoredTensor> tensors() { return List.copyOf(tensors.values()); }

    public boolean has(String name) { return tensors.containsKey(name); }

    /** The tensor called {@code name}; a missing one is bad input naming the file. */
    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) throw new BnnInputException(path + ": no tensor '" + name + "' in the model file");
        return t;
    }

    // ------------------------------------------------------------------ reading

    /** Reads and validates {@code file}; tensors are decoded into {@code arena}, which the caller owns. */
    public static ModelFile read(Path file, Arena arena) {
        String where = file.toString();
        long length = checkReadable(file, where);
        try (Arena mapArena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, length, mapArena);
            Parsed parsed = parse(map, where);
            verifyChecksum(map, where);
            Map<String, StoredTensor> out = new LinkedHashMap<>();
            for (Header h : parsed.headers) out.put(h.name, decode(map, h, arena));
            return new ModelFile(file, length, parsed.version, parsed.metadata, out);
        } catch (IOException e) {
            throw new BnnInputException(where + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The summary {@code bnn info} prints: metadata, and per tensor its shape, encoding, size and zeros. */
    public static ModelSummary inspect(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFile m = read(file, arena);
            List<ModelSummary.TensorInfo> infos = new ArrayList<>();
            for (StoredTensor t : m.tensors.values()) {
                long n = t.elementCount(), zeros = 0;
                for (long i = 0; i < n; i++) if (t.floatAt(i) == 0f) zeros++;
                infos.add(new ModelSummary.TensorInfo(t.name(), t.dtype(), t.shape(), t.encoding(), t.storedBytes(), n, zeros));
            }
            return new ModelSummary(file, m.fileBytes, m.formatVersion, m.metadata, infos);
        }
    }

    /** Missing, a directory, unreadable, empty: each its own message. Returns the length. */
    private static long checkReadable(Path file, String where) {
        if (Files.isDirectory(file)) throw new BnnInputException(where + ": is a directory, not a model file");
        if (!Files.exists(file)) throw new BnnInputException(where + ": no such file");
        if (!Files.isRegularFile(file)) throw new BnnInputException(where + ": not a regular file");
        long length;
        try {
            length = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new BnnInputException(where + ": no such file");
        } catch (IOException e) {
            throw new BnnInputException(where + ": cannot read: " + e.getMessage(), e);
        }
        if (!Files.isReadable(file)) throw new BnnInputException(where + ": permission denied");
        if (length == 0) throw new BnnInputException(where + ": empty file (0 bytes), not a bnn4j model");
        return length;
    }

    private record Header(String name, DType dtype, Encoding encoding, int[] shape, long count, long payloadOffset,
                          long payloadBytes, long nonzeros) {}

    private record Parsed(int version, Metadata metadata, List<Header> headers) {}

    /** A bounds-checked little-endian reader over the content (everything before the checksum). */
    private static final class Cursor {
        final MemorySegment map;
        final String where;
        final long end;          // content end: the checksum's offset
        long pos;
        String context = "the header";

        Cursor(MemorySegment map, String where) {
            this.map = map;
            this.where = where;
            this.end = map.byteSize() - CHECKSUM_BYTES;
        }

        /** Fails unless {@code n} more content bytes exist. */
        void need(long n) {
            if (n < 0 || n > end - pos) {
                throw new BnnInputException(where + ": truncated at byte " + map.byteSize() + " of " + context
                        + " (needs " + (n < 0 ? "an impossible number of" : String.valueOf(n)) + " bytes at offset " + pos
                        + ", the file is incomplete or corrupt)");
            }
        }

        int u8() { need(1); return Byte.toUnsignedInt(map.get(ValueLayout.JAVA_BYTE, pos++)); }

        long u32() { need(4); long v = Integer.toUnsignedLong(map.get(U32, pos)); pos += 4; return v; }

        long u64() { need(8); long v = map.get(U64, pos); pos += 8; return v; }

        String str(String what) {
            long n = u32();
            need(n);
            byte[] b = new byte[(int) n];   // n ≤ the bytes left in the file, checked just above
            MemorySegment.copy(map, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
            pos += n;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt("invalid UTF-8 in " + what + " at offset " + (pos - n));
            }
        }

        BnnInputException corrupt(String problem) {
            return new BnnInputException(where + ": " + problem + " (the file is corrupt)");
        }
    }

    private static Parsed parse(MemorySegment map, String where) {
        long length = map.byteSize();
        // Magic first, so that any other file is "not a bnn4j model" whatever its size.
        int prefix = (int) Math.min(length, MAGIC.length);
        for (int i = 0; i < prefix; i++) {
            if (map.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                throw new BnnInputException(where + ": not a bnn4j model (bad magic)");
            }
        }
        if (length < MAGIC.length + 4) {
            throw new BnnInputException(where + ": truncated at byte " + length + " of the header (the file is incomplete)");
        }
        long version = Integer.toUnsignedLong(map.get(U32, MAGIC.length));
        if (version > FORMAT_VERSION) {
            throw new BnnInputException(where + ": written by a newer bnn4j (format " + version + ", this reads up to "
                    + FORMAT_VERSION + ")");
        }
        if (version < 1) throw new BnnInputException(where + ": unsupported format version " + version + " (the file is corrupt)");
        if (length < HEADER_BYTES + CHECKSUM_BYTES) {
            throw new BnnInputException(where + ": truncated at byte " + length + " of the header (the file is incomplete)");
        }
        Cursor c = new Cursor(map, where);
        c.pos = MAGIC.length + 4;
        long flags = c.u32();
        if (flags != 0) throw c.corrupt("unknown flags 0x" + Long.toHexString(flags) + " in the header");
        long metaCount = c.u32();
        long tensorCount = c.u32();
        long room = c.end - c.pos;
        if (metaCount * MIN_ENTRY_BYTES + tensorCount * MIN_TENSOR_BYTES > room) {
            throw new BnnInputException(where + ": the header claims " + metaCount + " metadata entries and " + tensorCount
                    + " tensors, more than a file of " + length + " bytes can hold (the file is truncated or corrupt)");
        }

        Metadata meta = new Metadata(where);
        for (long i = 0; i < metaCount; i++) {
            c.context = "metadata entry " + (i + 1) + " of " + metaCount;
            String rawKey = c.str("a metadata key");
            if (rawKey.isEmpty()) throw c.corrupt("empty metadata key");
            String key = printable(rawKey);   // for messages: one line, whatever the file holds
            c.context = "metadata entry '" + key + "'";
            int type = c.u8();
            Object value = switch (type) {
                case Metadata.STRING -> c.str("metadata '" + key + "'");
                case Metadata.INT64 -> c.u64();
                case Metadata.FLOAT64 -> Double.longBitsToDouble(c.u64());
                case Metadata.STRING_LIST -> {
                    long n = c.u32();
                    c.need(n * 4);   // each string needs at least its length field: no list sized by a lie
                    List<String> list = new ArrayList<>();
                    for (long k = 0; k < n; k++) list.add(c.str("metadata '" + key + "'"));
                    yield List.copyOf(list);
                }
                default -> throw c.corrupt("metadata '" + key + "' has unknown type " + type);
            };
            meta.putRead(rawKey, value, where);
        }

        List<Header> headers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            c.context = "tensor " + (i + 1) + " of " + tensorCount;
            String rawName = c.str("a tensor name");
            if (rawName.isEmpty()) throw c.corrupt("empty tensor name");
            String name = printable(rawName);   // for messages: one line, whatever the file holds
            if (!names.add(rawName)) throw c.corrupt("tensor '" + name + "' appears twice");
            c.context = "tensor '" + name + "'";
            int dtypeCode = c.u8(), encCode = c.u8(), rank = c.u8(), reserved = c.u8();
            DType dtype = DType.ofCode(dtypeCode);
            if (dtype == null) throw c.corrupt("tensor '" + name + "' has unknown dtype " + dtypeCode);
            Encoding enc = Encoding.ofCode(encCode);
            if (enc == null) throw c.corrupt("tensor '" + name + "' has unknown encoding " + encCode);
            if (rank < 1 || rank > MAX_RANK) throw c.corrupt("tensor '" + name + "' has rank " + rank + " (1 to " + MAX_RANK + ")");
            if (reserved != 0) throw c.corrupt("tensor '" + name + "' has a nonzero reserved byte");
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                long dim = c.u32();
                if (dim > Integer.MAX_VALUE) throw c.corrupt("tensor '" + name + "' has dimension " + dim);
                shape[d] = (int) dim;
            }
            long count = elementCount(shape);
            if (count > MAX_ELEMENTS) {
                throw c.corrupt("tensor '" + name + "' claims shape " + java.util.Arrays.toString(shape)
                        + ", more than " + MAX_ELEMENTS + " elements");
            }
            long payload = c.u64();
            long payloadOffset = c.pos;
            long nonzeros;
            if (enc == Encoding.DENSE) {
                if (payload != count * dtype.bytes) throw badPayload(c, name, payload);
                c.need(payload);
                nonzeros = -1;   // not counted: the decoder counts while copying
            } else {
                nonzeros = c.u64();
                if (nonzeros < 0 || nonzeros > count) {
                    throw c.corrupt("tensor '" + name + "' claims " + Long.toUnsignedString(nonzeros) + " nonzeros of " + count);
                }
                if (payload != enc.payloadBytes(count, nonzeros, dtype)) throw badPayload(c, name, payload);
                c.need(payload - 8);
                if (enc == Encoding.SPARSE_BITMAP) checkBitmap(c, name, count, nonzeros);
                else checkIndices(c, name, count, nonzeros);
            }
            c.pos = payloadOffset + payload;
            headers.add(new Header(rawName, dtype, enc, shape, count, payloadOffset, payload, nonzeros));
        }
        c.context = "the end of the file";
        if (c.pos != c.end) {
            throw c.corrupt((c.end - c.pos) + " unexpected bytes after the last tensor");
        }
        return new Parsed((int) version, meta, headers);
    }

    /** {@code s} with control characters escaped (\n, \u0001), so that a message stays on one line. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean control = Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029';
            if (control && b == null) b = new StringBuilder(s.substring(0, i));
            if (b != null) {
                if (ch == '\n') b.append("\\n");
                else if (ch == '\t') b.append("\\t");
                else if (ch == '\r') b.append("\\r");
                else if (control) b.append(String.format("\\u%04x", (int) ch));
                else b.append(ch);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * The product of the dimensions, or {@code Long.MAX_VALUE} once it passes
     * {@link #MAX_ELEMENTS} (never overflows: each dim is below 2^31).
     */
    static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) if (d == 0) return 0;
        for (int d : shape) {
            n *= d;
            if (n > MAX_ELEMENTS) return Long.MAX_VALUE;
        }
        return n;
    }

    private static BnnInputException badPayload(Cursor c, String name, long payload) {
        return c.corrupt("tensor '" + name + "' claims a payload of " + Long.toUnsignedString(payload)
                + " bytes, which does not match its shape and encoding");
    }

    /** The bitmap's set bits must number {@code nonzeros}, and the bits past {@code count} be clear. */
    private static void checkBitmap(Cursor c, String name, long count, long nonzeros) {
        long base = c.pos, bytes = (count + 7) / 8, set = 0;
        for (long b = 0; b < bytes; b++) set += Integer.bitCount(Byte.toUnsignedInt(c.map.get(ValueLayout.JAVA_BYTE, base + b)));
        int tail = (int) (count % 8);
        if (tail != 0 && (Byte.toUnsignedInt(c.map.get(ValueLayout.JAVA_BYTE, base + bytes - 1)) >>> tail) != 0) {
            throw c.corrupt("tensor '" + name + "' has bitmap bits set past its last element");
        }
        if (set != nonzeros) throw c.corrupt("tensor '" + name + "' bitmap has " + set + " bits set for " + nonzeros + " nonzeros");
    }

    /** The indices must be strictly increasing and below {@code count}. */
    private static void checkIndices(Cursor c, String name, long count, long nonzeros) {
        long base = c.pos, prev = -1;
        for (long k = 0; k < nonzeros; k++) {
            long idx = Integer.toUnsignedLong(c.map.get(U32, base + 4 * k));
            if (idx <= prev || idx >= count) {
                throw c.corrupt("tensor '" + name + "' sparse index " + idx + " out of order or out of range");
            }
            prev = idx;
        }
    }

    private static void verifyChecksum(MemorySegment map, String where) {
        long end = map.byteSize() - CHECKSUM_BYTES;
        CRC32C crc = new CRC32C();
        for (long off = 0; off < end; off += 1 << 30) {
            crc.update(map.asSlice(off, Math.min(1L << 30, end - off)).asByteBuffer());
        }
        int stored = map.get(U32, end);
        if ((int) crc.getValue() != stored) throw new BnnInputException(where + ": checksum mismatch: the file is corrupt");
    }

    /** Decodes a validated tensor into {@code arena}: dense elements, native byte order. */
    private static StoredTensor decode(MemorySegment map, Header h, Arena arena) {
        int es = h.dtype.bytes;
        MemorySegment data = arena.allocate(Math.max(h.count * es, 1), 64);   // zeroed
        ValueLayout src = es == 4 ? U32 : ValueLayout.JAVA_BYTE;
        ValueLayout dst = es == 4 ? ValueLayout.JAVA_INT : ValueLayout.JAVA_BYTE;
        long nonzeros = h.nonzeros;
        switch (h.encoding) {
            case DENSE -> {
                MemorySegment.copy(map, src, h.payloadOffset, data, dst, 0, h.count);
                nonzeros = 0;
                for (long i = 0; i < h.count; i++) if (bits(data, es, i) != 0) nonzeros++;
            }
            case SPARSE_BITMAP -> {
                long bitmap = h.payloadOffset + 8, values = bitmap + (h.count + 7) / 8, k = 0;
                for (long i = 0; i < h.count; i++) {
                    if ((map.get(ValueLayout.JAVA_BYTE, bitmap + (i >>> 3)) >>> (i & 7) & 1) != 0) {
                        MemorySegment.copy(map, src, values + k * es, data, dst, i * es, 1);   // offsets in bytes
                        k++;
                    }
                }
            }
            case SPARSE_INDICES -> {
                long indices = h.payloadOffset + 8, values = indices + 4 * h.nonzeros;
                for (long k = 0; k < h.nonzeros; k++) {
                    long i = Integer.toUnsignedLong(map.get(U32, indices + 4 * k));
                    MemorySegment.copy(map, src, values + k * es, data, dst, i * es, 1);   // offsets in bytes
                }
            }
        }
        return new StoredTensor(h.name, h.dtype, h.shape, h.encoding, h.payloadBytes, nonzeros, data.asSlice(0, h.count * es));
    }

    private static int bits(MemorySegment data, int es, long i) {
        return es == 4 ? data.getAtIndex(ValueLayout.JAVA_INT, i) : data.get(ValueLayout.JAVA_BYTE, i);
    }

}
