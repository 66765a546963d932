package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.bnn4j.data.Fixtures.gzip;
import static io.bnn4j.data.Fixtures.idx;
import static io.bnn4j.data.Fixtures.idxImages;
import static io.bnn4j.data.Fixtures.idxLabels;
import static io.bnn4j.data.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFilesTest {

    @TempDir
    Path dir;

    private static final List<String> TEN = ClassNames.MNIST;

    /** Asserts a one-line BnnInputException that starts with the file and contains {@code text}. */
    static BnnInputException rejects(Path file, String text, Executable action) {
        BnnInputException e = assertThrows(BnnInputException.class, action);
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), "names the file: " + m);
        assertTrue(m.contains(text), "expected '" + text + "' in: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        return e;
    }

    @Test
    void readsHandBuiltFilesRawAndGzip() {
        int n = 9, h = 5, w = 7;
        byte[] px = Fixtures.randomBytes(1, n * h * w);
        int[] labels = Fixtures.randomLabels(2, n, 10);
        for (boolean gz : new boolean[] {false, true}) {
            byte[] images = idxImages(n, h, w, px), lab = idxLabels(labels);
            Path fi = write(dir.resolve("img" + gz), gz ? gzip(images) : images);
            Path fl = write(dir.resolve("lab" + gz), gz ? gzip(lab) : lab);
            Dataset d = IdxFiles.read(fi, fl, TEN);
            assertEquals(n, d.size());
            assertEquals(1, d.channels());
            assertEquals(h, d.height());
            assertEquals(w, d.width());
            assertArrayEquals(labels, d.labels());
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Arrays.copyOfRange(px, i * h * w, (i + 1) * h * w), d.image(i));
            }
            assertTrue(IdxFiles.isImagesFile(fi));
            assertFalse(IdxFiles.isImagesFile(fl));
            assertEquals(n, IdxFiles.count(fi, true));
            assertEquals(9, IdxFiles.readImages(fi).size());
        }
    }

    @Test
    void writerRoundTripsRawAndGzip() {
        Dataset d = DatasetTest.random(5, 30, 1, 28, 28);
        for (String suffix : new String[] {"", ".gz"}) {
            Path fi = dir.resolve("train-images-idx3-ubyte" + suffix), fl = dir.resolve("train-labels-idx1-ubyte" + suffix);
            IdxFiles.write(d, fi, fl);
            assertEquals(suffix.equals(".gz"), DataFiles.isGzip(fi));
            Dataset back = IdxFiles.read(fi, fl, TEN);
            assertEquals(d.digest(), back.digest());
            assertFalse(java.nio.file.Files.exists(dir.resolve(fi.getFileName() + ".tmp")), "no temporary left");
        }
        // A view (limit) writes just its images.
        Path fi = dir.resolve("a"), fl = dir.resolve("b");
        IdxFiles.write(d.limit(4), fi, fl);
        assertEquals(d.limit(4).digest(), IdxFiles.read(fi, fl, TEN).digest());
    }

    @Test
    void rejectsTruncatedAndOverlongFiles() {
        byte[] images = idxImages(4, 3, 3, new byte[36]);
        Path raw = write(dir.resolve("short"), Arrays.copyOf(images, images.length - 5));
        rejects(raw, "is truncated: its header promises 36 bytes of pixels but only 31 follow", () -> IdxFiles.readImages(raw));
        Path gz = write(dir.resolve("short.gz"), gzip(Arrays.copyOf(images, images.length - 5)));
        rejects(gz, "is truncated: expected 36 bytes of pixels, the data ends after 3 of 4 images (31 of 36 bytes)", () -> IdxFiles.readImages(gz));
        // Cutting the compressed stream itself.
        byte[] big = gzip(idxImages(100, 28, 28, Fixtures.randomBytes(3, 78400)));
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(big, big.length / 2));
        rejects(cut, "is truncated", () -> IdxFiles.readImages(cut));

        Path longRaw = write(dir.resolve("long"), Fixtures.concat(images, new byte[3]));
        rejects(longRaw, "has 3 unexpected byte(s) after its 4 images", () -> IdxFiles.readImages(longRaw));
        Path longGz = write(dir.resolve("long.gz"), gzip(Fixtures.concat(images, new byte[2])));
        rejects(longGz, "has 2 unexpected byte(s) after its 4 images", () -> IdxFiles.readImages(longGz));

        Path header = write(dir.resolve("header"), Arrays.copyOf(images, 10));
        rejects(header, "is truncated inside its IDX header", () -> IdxFiles.readImages(header));
        Path tiny = write(dir.resolve("tiny"), new byte[] {0, 0, 8});
        rejects(tiny, "is too short to be an IDX file", () -> IdxFiles.readImages(tiny));
        Path empty = write(dir.resolve("empty"), new byte[0]);
        rejects(empty, "is empty", () -> IdxFiles.readImages(empty));
        Path missing = dir.resolve("missing");
        rejects(missing, "does not exist", () -> IdxFiles.readImages(missing));
        rejects(dir, "is a directory", () -> IdxFiles.readImages(dir));
    }

    @Test
    void rejectsHugeHeadersBeforeAllocating() {
        // Each file is just a header: a loader that allocated first would need gigabytes (or
        // fail with an OutOfMemoryError) before noticing; these must fail on the header alone.
        Path many = write(dir.resolve("many"), idx(0x803, new int[] {Integer.MIN_VALUE, 28, 28}, new byte[0]));
        rejects(many, "header claims 2147483648 images, more than the 2147483639 that fit in memory",
                () -> IdxFiles.readImages(many));
        Path huge = write(dir.resolve("huge"), idx(0x803, new int[] {1, 1_000_000, 1_000_000}, new byte[0]));
        rejects(huge, "header claims images of 1000000x1000000 pixels; each side must be 1..4096",
                () -> IdxFiles.readImages(huge));
        Path total = write(dir.resolve("total"), idx(0x803, new int[] {100_000, 256, 256}, new byte[0]));
        rejects(total, "header claims 100000 images of 256x256 = 6553600000 bytes, more than the 2147483639",
                () -> IdxFiles.readImages(total));
        Path manyLabels = write(dir.resolve("manyLabels"), idx(0x801, new int[] {-1}, new byte[0]));
        rejects(manyLabels, "header claims 4294967295 labels", () -> IdxFiles.readLabels(manyLabels, 10));
        // A gzip file claiming far more than its compressed size could ever expand to.
        Path gz = write(dir.resolve("claim.gz"), gzip(idx(0x803, new int[] {60_000, 28, 28}, new byte[0])));
        rejects(gz, "its header claims 47040016 bytes of pixels, more than", () -> IdxFiles.readImages(gz));
        Path zeroSide = write(dir.resolve("zero"), idx(0x803, new int[] {1, 0, 28}, new byte[0]));
        rejects(zeroSide, "0x28 pixels", () -> IdxFiles.readImages(zeroSide));
        Path none = write(dir.resolve("none"), idx(0x803, new int[] {0, 28, 28}, new byte[0]));
        rejects(none, "holds no images", () -> IdxFiles.readImages(none));
    }

    @Test
    void rejectsWrongKindsOfFile() {
        Path labels = write(dir.resolve("labels"), idxLabels(new int[] {1, 2, 3}));
        Path images = write(dir.resolve("images"), idxImages(3, 2, 2, new byte[12]));
        rejects(labels, "is an IDX labels file (magic 0x00000801), expected an IDX images file (0x00000803)",
                () -> IdxFiles.readImages(labels));
        rejects(images, "is an IDX images file (magic 0x00000803), expected an IDX labels file (0x00000801)",
                () -> IdxFiles.readLabels(images, 10));
        rejects(labels, "is an IDX labels file", () -> IdxFiles.read(labels, images, TEN));
        Path png = write(dir.resolve("x.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        rejects(png, "is not an IDX file (it starts with 0x89504E47)", () -> IdxFiles.readImages(png));
        Path floats = write(dir.resolve("floats"), idx(0x00000D03, new int[] {1, 1, 1}, new byte[4]));
        rejects(floats, "holds IDX data type 0x0D; only unsigned bytes (0x08) are supported",
                () -> IdxFiles.readImages(floats));
        Path fourD = write(dir.resolve("4d"), idx(0x00000804, new int[] {1, 1, 1, 1}, new byte[1]));
        rejects(fourD, "has IDX magic 0x00000804 (4 dimensions)", () -> IdxFiles.readImages(fourD));
        Path badGzip = write(dir.resolve("bad.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        rejects(badGzip, "gzip", () -> IdxFiles.readImages(badGzip));
    }

    @Test
    void rejectsBadLabelsAndCountMismatch() {
        Path images = write(dir.resolve("images"), idxImages(4, 2, 2, new byte[16]));
        Path outOfRange = write(dir.resolve("range"), idxLabels(new int[] {0, 9, 3, 12}));
        rejects(outOfRange, "label 12 of item 3 is outside 0..9 (10 classes)", () -> IdxFiles.read(images, outOfRange, TEN));
        Path three = write(dir.resolve("three"), idxLabels(new int[] {0, 1, 2}));
        BnnInputException e = rejects(three, "holds 3 labels but", () -> IdxFiles.read(images, three, TEN));
        assertTrue(e.getMessage().endsWith(images + " holds 4 images"), e.getMessage());
    }
}
