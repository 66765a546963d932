package io.bnn4j.io;

import io.bnn4j.BnnInputException;
import io.bnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

class ModelFileTest {

    @TempDir
    Path dir;

    /** Awkward float values: signed zeros, NaN with a payload, infinities, subnormals, extremes. */
    private static final float[] AWKWARD = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_NORMAL, Float.MAX_VALUE, 1.5f, 0f, 0f, -2.25f};

    private static Metadata sampleMetadata() {
        return new Metadata()
                .put(ModelKeys.ARCH, "lenet5")
                .put(ModelKeys.PRIOR_SIGMA, 0.1)
                .put("nan", Double.NaN)
                .put(ModelKeys.SEED, -42L)
                .put("big", Long.MIN_VALUE)
                .put("empty", "")
                .put("empty.list", List.of())
                .put(ModelKeys.CLASSES, List.of("T-shirt/top", "Ünïcödé", "猫", "emoji 🐈", "", "tab\tand\nnewline"))
                .put(ModelKeys.BNN4J_VERSION, "test");
    }

    /** A small file with every dtype, several ranks, an empty tensor, and sparse candidates. */
    private Path smallFile(Encoding forced) throws IOException {
        Path p = dir.resolve("small-" + forced + ".bnn");
        float[] f = AWKWARD.clone();
        new ModelWriter().metadata(m -> m.putAll(sampleMetadata())).encoding(forced)
                .addFloats("conv1.weight.mu", f, f.length)
                .addInts("ints", new int[]{0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 0, 7, 0}, 2, 2, 2)
                .addBytes("conv1.weight.mask", new byte[]{0, 1, (byte) 255, 0, 0, 1}, 1, 2, 3, 1)
                .addFloats("empty", new float[0], 3, 0)
                .write(p);
        return p;
    }

    @Test
    void roundTripKeepsEveryBitInEveryEncoding() throws IOException {
        for (Encoding forced : new Encoding[]{null, Encoding.DENSE, Encoding.SPARSE_BITMAP, Encoding.SPARSE_INDICES}) {
            Path p = smallFile(forced);
            try (Arena arena = Arena.ofConfined()) {
                ModelFile m = ModelFile.read(p, arena);
                assertEquals(sampleMetadata(), m.metadata(), "metadata, encoding " + forced);
                assertEquals(List.of("conv1.weight.mu", "ints", "conv1.weight.mask", "empty"),
                        m.tensors().stream().map(StoredTensor::name).toList());
                StoredTensor f = m.tensor("conv1.weight.mu");
                assertEquals(DType.FLOAT32, f.dtype());
                assertArrayEquals(new int[]{AWKWARD.length}, f.shape());
                float[] back = f.tensor().toArray();
                for (int i = 0; i < AWKWARD.length; i++) {
                    assertEquals(Float.floatToRawIntBits(AWKWARD[i]), Float.floatToRawIntBits(back[i]), "element " + i + " " + forced);
                }
                assertEquals(10, f.nonzeros(), "-0.0 and NaN are stored, only +0.0 is a zero of the encoding");
                StoredTensor ints = m.tensor("ints");
                assertArrayEquals(new int[]{2, 2, 2}, ints.shape());
                int[] expectInts = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 0, 7, 0};
                for (int i = 0; i < expectInts.length; i++) assertEquals(expectInts[i], ints.intAt(i));
                StoredTensor mask = m.tensor("conv1.weight.mask");
                assertEquals(DType.UINT8, mask.dtype());
                assertArrayEquals(new int[]{0, 1, 255, 0, 0, 1}, new int[]{mask.intAt(0), mask.intAt(1), mask.intAt(2),
                        mask.intAt(3), mask.intAt(4), mask.intAt(5)});
                assertArrayEquals(new float[]{0, 1, 255, 0, 0, 1}, mask.toFloatTensor(arena).toArray());
                assertEquals(0, m.tensor("empty").elementCount());
                if (forced != null) {
                    for (StoredTensor t : m.tensors()) assertEquals(forced, t.encoding(), t.name());
                }
                assertTrue(f.tensor().segment().scope().isAlive());
            }
        }
    }

    @Test
    void tensorFromAnArenaTensorRoundTrips() throws IOException {
        Path p = dir.resolve("t.bnn");
        try (Arena a = Arena.ofConfined()) {
            Tensor big = Tensor.allocate(a, 4, 3, 5, 5);
            for (int i = 0; i < big.size(); i++) big.setFlat(i, i * 0.25f - 3);
            Tensor slice = big.slice(1, 3);   // a view at a nonzero offset
            new ModelWriter().add("w", slice).write(p);
            try (Arena b = Arena.ofConfined()) {
                StoredTensor t = ModelFile.read(p, b).tensor("w");
                assertArrayEquals(new int[]{2, 3, 5, 5}, t.shape());
                assertArrayEquals(slice.toArray(), t.tensor().toArray());
            }
        }
    }

    @Test
    void prunedTensorsAreStoredSparselyAndTheFileIsReallySmaller() throws IOException {
        int n = 100_000;
        Random rnd = new Random(1);
        float[] dense = new float[n], pruned90 = new float[n], pruned99 = new float[n];
        for (int i = 0; i < n; i++) {
            dense[i] = (float) rnd.nextGaussian();
            pruned90[i] = rnd.nextDouble() < 0.1 ? dense[i] : 0f;
            pruned99[i] = rnd.nextDouble() < 0.01 ? dense[i] : 0f;
        }
        Path pd = dir.resolve("dense.bnn"), p90 = dir.resolve("p90.bnn"), p99 = dir.resolve("p99.bnn");
        new ModelWriter().addFloats("w", dense, n).write(pd);
        new ModelWriter().addFloats("w", pruned90, n).write(p90);
        new ModelWriter().addFloats("w", pruned99, n).write(p99);
        try (Arena a = Arena.ofConfined()) {
            assertEquals(Encoding.DENSE, ModelFile.read(pd, a).tensor("w").encoding());
            assertEquals(Encoding.SPARSE_BITMAP, ModelFile.read(p90, a).tensor("w").encoding());
            assertEquals(Encoding.SPARSE_INDICES, ModelFile.read(p99, a).tensor("w").encoding());
            assertArrayEquals(pruned90, ModelFile.read(p90, a).tensor("w").tensor().toArray());
            assertArrayEquals(pruned99, ModelFile.read(p99, a).tensor("w").tensor().toArray());
        }
        // 90% pruned: a bitmap (n/8 bytes) plus 10% of the values: about 0.13 of dense.
        assertTrue(Files.size(p90) < 0.15 * Files.size(pd), Files.size(p90) + " vs " + Files.size(pd));
        assertTrue(Files.size(p99) < 0.03 * Files.size(pd), Files.size(p99) + " vs " + Files.size(pd));
    }

    @Test
    void inspectCountsParametersAndZeros() throws IOException {
        Path p = dir.resolve("i.bnn");
        new ModelWriter()
                .addFloats("fc.weight.mu", new float[]{0, 1, 0, 2, 0, 3}, 2, 3)
                .addFloats("fc.weight.rho", new float[]{-5, -5, -5, -5, -5, -5}, 2, 3)
                .addFloats("fc.bias.mu", new float[]{0, 1}, 2)
                .addFloats("fc.bias.rho", new float[]{-5, -5}, 2)
                .addBytes("fc.weight.mask", new byte[]{0, 1, 0, 1, 0, 1}, 2, 3)
                .addFloats("optimizer.fc.weight.mu.m", new float[6], 2, 3)
                .write(p);
        ModelSummary s = ModelFile.inspect(p);
        assertEquals(8, s.means());
        assertEquals(16, s.learnedValues());
        assertEquals(4, s.zeroMeans());
        assertEquals(Files.size(p), s.fileBytes());
        assertEquals(ModelFile.FORMAT_VERSION, s.formatVersion());
        assertEquals(0.5, s.tensors().getFirst().sparsity());
        assertTrue(s.metadata().has(ModelKeys.BNN4J_VERSION), "the writer fills in the version");
    }

    // ------------------------------------------------------------------ bad files

    private static String failRead(Path p) {
        CountingArena arena = new CountingArena();
        try (arena) {
            BnnInputException e = assertThrows(BnnInputException.class, () -> ModelFile.read(p, arena));
            assertEquals(0, arena.allocations, "allocated before the file was validated: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(p.toString() + ": "), "names the file: " + e.getMessage());
            return e.getMessage();
        }
    }

    private Path withBytes(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void missingEmptyDirectoryAndForeignFilesAreNamed() throws IOException {
        assertTrue(failRead(dir.resolve("nope.bnn")).endsWith("no such file"));
        assertTrue(failRead(dir).endsWith("is a directory, not a model file"));
        assertTrue(failRead(withBytes("empty.bnn", new byte[0])).contains("empty file (0 bytes)"));
        assertTrue(failRead(withBytes("text.bnn", "hello world, this is not a model".getBytes())).endsWith("not a bnn4j model (bad magic)"));
        assertTrue(failRead(withBytes("one.bnn", new byte[]{'x'})).endsWith("not a bnn4j model (bad magic)"));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
        assertTrue(failRead(withBytes("png.bnn", png)).endsWith("not a bnn4j model (bad magic)"));
        assertTrue(failRead(withBytes("magic-only.bnn", ModelFile.MAGIC)).contains("truncated at byte 8 of the header"));
    }

    @Test
    void everyTruncationFailsCleanly() throws IOException {
        byte[] good = Files.readAllBytes(smallFile(null));
        byte[] sparse = Files.readAllBytes(smallFile(Encoding.SPARSE_INDICES));
        for (byte[] file : List.of(good, sparse)) {
            for (int len = 0; len < file.length; len++) {   // every prefix: the file is small
                String msg = failRead(withBytes("cut.bnn", Arrays.copyOf(file, len)));
                assertFalse(msg.contains("Exception"), msg);
            }
        }
        String msg = failRead(withBytes("cut.bnn", Arrays.copyOf(good, good.length - 30)));
        assertTrue(msg.contains("truncated at byte " + (good.length - 30) + " of tensor 'empty'")
                || msg.contains("truncated at byte " + (good.length - 30) + " of tensor 'conv1.weight.mask'"), msg);
    }

    @Test
    void everySingleByteErrorIsRejected() throws IOException {
        for (Encoding enc : new Encoding[]{Encoding.DENSE, Encoding.SPARSE_BITMAP, Encoding.SPARSE_INDICES}) {
            byte[] good = Files.readAllBytes(smallFile(enc));
            for (int i = 0; i < good.length; i++) {
                // Three kinds of flip on the dense file, one on the sparse ones (the headers are the same).
                for (int mask : enc == Encoding.DENSE ? new int[]{0x01, 0x80, 0xff} : new int[]{0xff}) {
                    byte[] bad = good.clone();
                    bad[i] ^= (byte) mask;
                    failRead(withBytes("flip.bnn", bad));
                }
            }
        }
        // A flip in a tensor's values leaves the structure valid: only the checksum can tell.
        byte[] good = Files.readAllBytes(smallFile(Encoding.DENSE));
        byte[] bad = good.clone();
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(-2.25f).array();
        int at = indexOf(good, value);
        assertTrue(at > 0);
        bad[at] ^= 1;
        assertTrue(failRead(withBytes("flip.bnn", bad)).endsWith("checksum mismatch: the file is corrupt"));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** Rewrites the trailing CRC32C so that a crafted header is judged on its own. */
    private static byte[] fixChecksum(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    private static byte[] patchU32(byte[] good, int offset, int value) {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return fixChecksum(b);
    }

    @Test
    void newerVersionSaysSo() throws IOException {
        byte[] good = Files.readAllBytes(smallFile(null));
        String msg = failRead(withBytes("new.bnn", patchU32(good, 8, 2)));
        assertTrue(msg.endsWith("written by a newer bnn4j (format 2, this reads up to 1)"), msg);
        assertTrue(failRead(withBytes("v0.bnn", patchU32(good, 8, 0))).contains("unsupported format version 0"));
    }

    @Test
    void hugeCountsFailWithoutAllocating() throws IOException {
        byte[] good = Files.readAllBytes(smallFile(null));
        assertTrue(failRead(withBytes("t.bnn", patchU32(good, 20, 1 << 31))).contains("2147483648 tensors"));
        assertTrue(failRead(withBytes("m.bnn", patchU32(good, 16, -1))).contains("4294967295 metadata entries"));
        // A key length of 2^32 - 1: the first key's length field is at offset 24.
        assertTrue(failRead(withBytes("k.bnn", patchU32(good, 24, -1))).contains("truncated"));
    }

    /** One tensor "w" with the given header fields and {@code payload} bytes of payload. */
    private static byte[] craftTensor(int dtype, int encoding, int[] dims, long payloadLength, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(200 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ModelFile.MAGIC).putInt(1).putInt(0).putInt(0).putInt(1);
        b.putInt(1).put((byte) 'w').put((byte) dtype).put((byte) encoding).put((byte) dims.length).put((byte) 0);
        for (int d : dims) b.putInt(d);
        b.putLong(payloadLength).put(payload).putInt(0);
        return fixChecksum(Arrays.copyOf(b.array(), b.position()));
    }

    @Test
    void craftedTensorHeadersAreValidated() throws IOException {
        // A valid crafted file first, so that the failures below are the field under test.
        byte[] ok = craftTensor(1, 0, new int[]{2}, 8, new byte[8]);
        try (Arena a = Arena.ofConfined()) {
            assertArrayEquals(new float[2], ModelFile.read(withBytes("ok.bnn", ok), a).tensor("w").tensor().toArray());
        }
        // 10^12 elements (10^6 × 10^6): refused before any allocation.
        String msg = failRead(withBytes("e.bnn", craftTensor(1, 0, new int[]{1_000_000, 1_000_000}, 4_000_000_000_000L, new byte[0])));
        assertTrue(msg.contains("more than 2147483647 elements"), msg);
        // Within the element limit but far beyond the file: truncated, no allocation.
        msg = failRead(withBytes("f.bnn", craftTensor(1, 0, new int[]{1 << 28}, 4L << 28, new byte[0])));
        assertTrue(msg.contains("truncated at byte") && msg.contains("of tensor 'w'"), msg);
        // Negative sizes: a dimension of 2^32 - 1, a negative payload length, negative nonzeros.
        assertTrue(failRead(withBytes("d.bnn", craftTensor(1, 0, new int[]{-1}, 4, new byte[4]))).contains("dimension 4294967295"));
        assertTrue(failRead(withBytes("p.bnn", craftTensor(1, 0, new int[]{2}, -8, new byte[8]))).contains("payload"));
        byte[] negNnz = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array();
        assertTrue(failRead(withBytes("n.bnn", craftTensor(1, 2, new int[]{2}, 8, negNnz))).contains("nonzeros"));
        // Unknown dtype, encoding, rank 0 and 5.
        assertTrue(failRead(withBytes("u.bnn", craftTensor(9, 0, new int[]{2}, 8, new byte[8]))).contains("unknown dtype 9"));
        assertTrue(failRead(withBytes("v.bnn", craftTensor(1, 7, new int[]{2}, 8, new byte[8]))).contains("unknown encoding 7"));
        assertTrue(failRead(withBytes("r0.bnn", craftTensor(1, 0, new int[]{}, 4, new byte[4]))).contains("rank 0"));
        assertTrue(failRead(withBytes("r5.bnn", craftTensor(1, 0, new int[]{1, 1, 1, 1, 1}, 4, new byte[4]))).contains("rank 5"));
        // Sparse indices out of order, and a bitmap whose bit count disagrees with nonzeros.
        ByteBuffer idx = ByteBuffer.allocate(8 + 8 + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(2).putInt(3).putInt(1).putFloat(1).putFloat(2);
        assertTrue(failRead(withBytes("i.bnn", craftTensor(1, 2, new int[]{5}, 24, idx.array()))).contains("out of order"));
        ByteBuffer bm = ByteBuffer.allocate(8 + 1 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(1).put((byte) 0b11).putFloat(1);
        assertTrue(failRead(withBytes("b.bnn", craftTensor(1, 1, new int[]{5}, 13, bm.array()))).contains("bits set"));
        // Trailing garbage after the last tensor.
        byte[] trailing = Arrays.copyOf(ok, ok.length + 3);
        System.arraycopy(ok, ok.length - 4, trailing, ok.length - 1, 4);
        assertTrue(failRead(withBytes("g.bnn", fixChecksum(trailing))).contains("unexpected bytes after the last tensor"));
    }

    // ------------------------------------------------------------------ atomic writing

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writingIntoAMissingDirectoryFailsBeforeAnyWork() throws IOException {
        Path missing = dir.resolve("no/such/dir");
        BnnInputException e = assertThrows(BnnInputException.class,
                () -> new ModelWriter().addFloats("w", new float[1], 1).write(missing.resolve("m.bnn")));
        assertTrue(e.getMessage().contains("directory " + missing.toAbsolutePath() + " does not exist"), e.getMessage());
        assertEquals(List.of(), listDir());
    }

    @Test
    void writingOverADirectoryFailsAndLeavesNoTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("model.bnn"));
        BnnInputException e = assertThrows(BnnInputException.class,
                () -> new ModelWriter().addFloats("w", new float[1], 1).write(target));
        assertTrue(e.getMessage().endsWith("it is a directory"), e.getMessage());
        assertEquals(List.of("model.bnn"), listDir());
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void aFailureMidWriteKeepsTheOldFileAndDeletesTheTemporary() throws IOException {
        Path target = dir.resolve("model.bnn");
        new ModelWriter().metadata(m -> m.put("generation", 1L)).addFloats("w", new float[]{1, 2}, 2).write(target);
        byte[] before = Files.readAllBytes(target);
        Tensor closed = Tensor.zeros(1000);
        ModelWriter w = new ModelWriter().metadata(m -> m.put("generation", 2L)).add("w", closed);
        closed.close();   // its memory is gone: the write fails half-way through the tensors
        assertThrows(IllegalStateException.class, () -> w.write(target));
        assertArrayEquals(before, Files.readAllBytes(target), "the target is untouched");
        assertEquals(List.of("model.bnn"), listDir(), "no temporary file left");
        // A good write replaces it.
        new ModelWriter().metadata(m -> m.put("generation", 3L)).addFloats("w", new float[]{5}, 1).write(target);
        try (Arena a = Arena.ofConfined()) {
            assertEquals(3L, ModelFile.read(target, a).metadata().requireInt64("generation"));
        }
        assertEquals(List.of("model.bnn"), listDir());
    }

    @Test
    void writerRejectsBadArguments() {
        ModelWriter w = new ModelWriter().addFloats("w", new float[2], 2);
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("w", new float[2], 2), "duplicate");
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("", new float[2], 2), "empty name");
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("x", new float[3], 2), "length");
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("y", new float[1], 1, 1, 1, 1, 1), "rank 5");
        assertThrows(IllegalArgumentException.class, () -> w.addFloats("z", new float[0], -1), "negative");
        w.metadata().put("bad", "lone \ud800 surrogate");
        assertThrows(IllegalArgumentException.class, () -> w.write(dir.resolve("x.bnn")));
        assertFalse(Files.exists(dir.resolve("x.bnn")));
    }

    @Test
    void metadataGettersNameTheKey() throws IOException {
        Path p = dir.resolve("m.bnn");
        new ModelWriter().metadata(m -> m.put("arch", "lenet5").put("n", 3L)).write(p);
        try (Arena a = Arena.ofConfined()) {
            Metadata m = ModelFile.read(p, a).metadata();
            assertEquals("lenet5", m.requireString("arch"));
            assertEquals(3.0, m.requireFloat64("n"), "an int64 widens to a double");
            BnnInputException e = assertThrows(BnnInputException.class, () -> m.requireString("estimator"));
            assertEquals(p + ": metadata 'estimator' is missing", e.getMessage());
            e = assertThrows(BnnInputException.class, () -> m.requireString("n"));
            assertEquals(p + ": metadata 'n' should be a string but is int64", e.getMessage());
            e = assertThrows(BnnInputException.class, () -> ModelFile.read(p, a).tensor("nope"));
            assertTrue(e.getMessage().contains("no tensor 'nope'"));
        }
    }

    /** An arena that counts its allocations, to prove that validation comes first. */
    private static final class CountingArena implements Arena {
        private final Arena inner = Arena.ofConfined();
        int allocations;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            allocations++;
            return inner.allocate(byteSize, byteAlignment);
        }

        @Override
        public MemorySegment.Scope scope() {
            return inner.scope();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
