package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import io.bnn4j.data.CifarFiles.Kind;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.bnn4j.data.Fixtures.cifar;
import static io.bnn4j.data.Fixtures.gzip;
import static io.bnn4j.data.Fixtures.write;
import static io.bnn4j.data.IdxFilesTest.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CifarFilesTest {

    @TempDir
    Path dir;

    /** A batch of n random records: its pixels, labels and file bytes. */
    record Batch(byte[] pixels, int[] coarse, int[] fine, byte[] bytes) {
        static Batch cifar10(long seed, int n) {
            byte[] px = Fixtures.randomBytes(seed, n * 3072);
            int[] labels = Fixtures.randomLabels(seed + 1, n, 10);
            return new Batch(px, null, labels, cifar(null, labels, px));
        }

        static Batch cifar100(long seed, int n) {
            byte[] px = Fixtures.randomBytes(seed, n * 3072);
            int[] coarse = Fixtures.randomLabels(seed + 2, n, 20);
            int[] fine = Fixtures.randomLabels(seed + 1, n, 100);
            return new Batch(px, coarse, fine, cifar(coarse, fine, px));
        }
    }

    /** Checks that the dataset holds the batches' images and labels in order. */
    static void assertHolds(Dataset d, Batch... batches) {
        int i = 0;
        for (Batch b : batches) {
            for (int r = 0; r < b.fine.length; r++, i++) {
                assertArrayEquals(Arrays.copyOfRange(b.pixels, r * 3072, (r + 1) * 3072), d.image(i), "image " + i);
                assertEquals(b.fine[r], d.label(i), "label " + i);
            }
        }
        assertEquals(i, d.size());
        assertEquals(3, d.channels());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
    }

    static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return gzip(out.toByteArray());
    }

    @Test
    void cifar10BatchFilesRoundTrip() {
        Batch b1 = Batch.cifar10(1, 20), b2 = Batch.cifar10(2, 7), test = Batch.cifar10(3, 5);
        write(dir.resolve("data_batch_1.bin"), b1.bytes);
        write(dir.resolve("data_batch_2.bin"), b2.bytes);
        write(dir.resolve("test_batch.bin"), test.bytes);
        Dataset train = Datasets.load(dir, Split.TRAIN);
        assertHolds(train, b1, b2);
        assertEquals(ClassNames.CIFAR10, train.classNames());
        assertHolds(Datasets.load(dir, Split.TEST), test);
        assertEquals(DataFormat.CIFAR10, Datasets.format(dir));
        assertTrue(Datasets.hasSplit(dir, Split.TEST));
    }

    @Test
    void cifar100FilesInTheOfficialFolderRoundTrip() {
        Batch train = Batch.cifar100(4, 20), test = Batch.cifar100(5, 3);
        Path folder = dir.resolve("cifar-100-binary");
        write(folder.resolve("train.bin"), train.bytes);
        write(folder.resolve("test.bin"), test.bytes);
        Dataset d = Datasets.load(dir, Split.TRAIN);
        assertHolds(d, train);
        assertEquals(100, d.numClasses());
        assertEquals("99", d.classNames().get(99));
        assertHolds(Datasets.load(dir, Split.TEST), test);
        assertEquals(DataFormat.CIFAR100, Datasets.format(dir));
        // With the official names file beside the batches, its names are used.
        StringBuilder names = new StringBuilder();
        for (int c = 0; c < 100; c++) names.append("class").append(c).append('\n');
        write(folder.resolve("fine_label_names.txt"), (names + "\n\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("class42", Datasets.load(dir, Split.TEST).classNames().get(42));
    }

    @Test
    void tarGzRoundTripsWhateverTheEntryOrder() throws IOException {
        Batch b1 = Batch.cifar10(6, 20), b2 = Batch.cifar10(7, 4), test = Batch.cifar10(8, 6);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/readme.html", "<html/>".getBytes(StandardCharsets.UTF_8));
        entries.put("cifar-10-batches-bin/data_batch_2.bin", b2.bytes);
        entries.put("cifar-10-batches-bin/test_batch.bin", test.bytes);
        entries.put("cifar-10-batches-bin/data_batch_1.bin", b1.bytes);
        entries.put("cifar-10-batches-bin/batches.meta.txt",
                "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n".getBytes(StandardCharsets.UTF_8));
        write(dir.resolve("cifar-10-binary.tar.gz"), tarGz(entries));
        Dataset train = Datasets.load(dir, Split.TRAIN);
        assertHolds(train, b1, b2);
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), train.classNames());
        assertHolds(Datasets.load(dir, Split.TEST), test);
        assertTrue(Datasets.hasSplit(dir, Split.TEST));

        Batch c = Batch.cifar100(9, 20);
        Path other = dir.resolve("c100");
        write(other.resolve("cifar-100-binary.tar.gz"), tarGz(Map.of("cifar-100-binary/train.bin", c.bytes)));
        assertHolds(Datasets.load(other, Split.TRAIN), c);
        assertFalse(Datasets.hasSplit(other, Split.TEST));
        assertTrue(Datasets.loadIfPresent(other, Split.TEST).isEmpty());
        rejects(other, "has no test split (expected cifar-100-binary/test.bin in the archive)",
                () -> Datasets.load(other, Split.TEST));
    }

    @Test
    void archivesWithoutTheirBatchesAreRefused() throws IOException {
        Path a = write(dir.resolve("a/cifar-10-binary.tar.gz"),
                tarGz(Map.of("cifar-10-batches-bin/readme.html", new byte[10])));
        rejects(a, "holds no CIFAR-10 batches (expected cifar-10-batches-bin/data_batch_1.bin .. data_batch_5.bin",
                () -> Datasets.load(a.getParent(), Split.TRAIN));
        Path b = write(dir.resolve("b/cifar-10-binary.tar.gz"),
                tarGz(Map.of("cifar-10-batches-bin/test_batch.bin", Batch.cifar10(1, 2).bytes)));
        rejects(b, "holds no CIFAR-10 training batches", () -> Datasets.load(b.getParent(), Split.TEST));
        Path gap = write(dir.resolve("c/cifar-10-binary.tar.gz"), tarGz(Map.of(
                "cifar-10-batches-bin/data_batch_1.bin", Batch.cifar10(1, 2).bytes,
                "cifar-10-batches-bin/data_batch_3.bin", Batch.cifar10(1, 2).bytes)));
        rejects(gap, "has data_batch_3.bin but no data_batch_2.bin", () -> Datasets.load(gap.getParent(), Split.TRAIN));
        Path plain = write(dir.resolve("d/cifar-10-binary.tar.gz"), new byte[] {1, 2, 3});
        rejects(plain, "is not gzip-compressed", () -> Datasets.load(plain.getParent(), Split.TRAIN));
        byte[] good = tarGz(Map.of("cifar-10-batches-bin/data_batch_1.bin", Batch.cifar10(1, 30).bytes));
        Path cut = write(dir.resolve("e/cifar-10-binary.tar.gz"), Arrays.copyOf(good, good.length / 2));
        rejects(cut, "is truncated", () -> Datasets.load(cut.getParent(), Split.TRAIN));
        Path odd = write(dir.resolve("f/cifar-10-binary.tar.gz"),
                tarGz(Map.of("cifar-10-batches-bin/data_batch_1.bin", new byte[3072])));
        rejects(odd, "(cifar-10-batches-bin/data_batch_1.bin): is not a CIFAR-10 batch: its 3072 bytes are not a whole",
                () -> Datasets.load(odd.getParent(), Split.TRAIN));
    }

    /** A ustar header for one regular file entry, written by hand so that it can lie about the size. */
    static byte[] tarHeader(String name, long size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", size));
        put(h, 136, "00000000000\0");
        h[156] = '0';
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) sum += b & 0xFF;
        put(h, 148, String.format("%06o\0 ", sum));
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    @Test
    void aTarEntryClaimingGigabytesFailsOnItsHeader() {
        // 100,000 records (307 MB) claimed, 512 bytes present: refused from the header, no allocation.
        byte[] tar = Fixtures.concat(tarHeader("cifar-10-batches-bin/data_batch_1.bin", 3073L * 100_000), new byte[1024]);
        Path a = write(dir.resolve("cifar-10-binary.tar.gz"), gzip(tar));
        rejects(a, "its header claims 307300000 bytes of CIFAR-10 records, more than", () -> Datasets.load(dir, Split.TRAIN));
    }

    @Test
    void malformedBatchFilesAreRefused() {
        Path odd = write(dir.resolve("a/data_batch_1.bin"), new byte[3073 * 2 + 1]);
        rejects(odd, "is not a CIFAR-10 batch: its 6147 bytes are not a whole number of 3073-byte records",
                () -> Datasets.load(odd.getParent(), Split.TRAIN));
        byte[] bad = Batch.cifar10(1, 3).bytes.clone();
        bad[3073 * 2] = 10;
        Path label = write(dir.resolve("b/data_batch_1.bin"), bad);
        rejects(label, "record 2 has label 10, outside 0..9", () -> Datasets.load(label.getParent(), Split.TRAIN));
        byte[] bad100 = Batch.cifar100(1, 3).bytes.clone();
        bad100[3074] = 20;
        Path coarse = write(dir.resolve("c/train.bin"), bad100);
        rejects(coarse, "record 1 has coarse label 20, outside 0..19", () -> Datasets.load(coarse.getParent(), Split.TRAIN));
        bad100 = Batch.cifar100(1, 3).bytes.clone();
        bad100[1] = 100;
        Path fine = write(dir.resolve("d/train.bin"), bad100);
        rejects(fine, "record 0 has label 100, outside 0..99", () -> Datasets.load(fine.getParent(), Split.TRAIN));
        Path empty = write(dir.resolve("e/data_batch_1.bin"), new byte[0]);
        rejects(empty, "is empty", () -> Datasets.load(empty.getParent(), Split.TRAIN));
        write(dir.resolve("f/data_batch_1.bin"), Batch.cifar10(1, 1).bytes);
        write(dir.resolve("f/data_batch_3.bin"), Batch.cifar10(1, 1).bytes);
        rejects(dir.resolve("f"), "has data_batch_3.bin but no data_batch_2.bin",
                () -> Datasets.load(dir.resolve("f"), Split.TRAIN));
        write(dir.resolve("g/data_batch_1.bin"), Batch.cifar10(1, 1).bytes);
        Path names = write(dir.resolve("g/batches.meta.txt"), "only\nthree\nnames\n".getBytes(StandardCharsets.UTF_8));
        BnnInputException e = assertThrows(BnnInputException.class, () -> Datasets.load(names.getParent(), Split.TRAIN));
        assertTrue(e.getMessage().contains("CIFAR-10 has 10 classes but 3 class names were given"), e.getMessage());
    }

    @Test
    void recordSizes() {
        assertEquals(3073, Kind.CIFAR10.recordBytes());
        assertEquals(3074, Kind.CIFAR100.recordBytes());
        assertTrue(Files.notExists(dir.resolve("nothing")));
    }
}
