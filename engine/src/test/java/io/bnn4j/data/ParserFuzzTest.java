package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import io.bnn4j.io.Mutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random damage to every dataset reader's input: IDX images and labels (raw and gzip),
 * a CIFAR-10 .tar.gz archive and a PNG. Each damaged file must be read or refused with a
 * {@link BnnInputException} whose message is one line (never another exception, never a hang),
 * and the heap allocated by one read stays within a small multiple of the undamaged data (no
 * allocation sized by a header's claim).
 */
class ParserFuzzTest {

    @TempDir
    Path dir;

    /** Runs {@code cases} mutants of {@code good} through {@code read}; returns how many were refused. */
    private int fuzz(String name, byte[] good, int cases, int headerBytes, long allocationLimit, Consumer<Path> read) throws Exception {
        return fuzz(name, good, cases, headerBytes, allocationLimit, b -> b, read);
    }

    /** As above; {@code wrap} turns each mutant into the file's bytes (gzip after damaging the inner stream). */
    private int fuzz(String name, byte[] good, int cases, int headerBytes, long allocationLimit,
                     java.util.function.UnaryOperator<byte[]> wrap, Consumer<Path> read) throws Exception {
        Path file = dir.resolve(name);
        Random r = new Random(name.hashCode() * 31L + cases);
        List<String> failures = new ArrayList<>();
        int[] refused = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < cases; i++) {
                Mutations.Mutant m = Mutations.mutate(good, r, i, headerBytes);
                Files.write(file, wrap.apply(m.bytes()));
                long before = Mutations.allocatedBytes();
                try {
                    read.accept(file);
                } catch (BnnInputException e) {
                    refused[0]++;
                    if (e.getMessage() == null || e.getMessage().contains("\n")) failures.add(m.what() + ": message not one line");
                } catch (Throwable t) {
                    failures.add(m.what() + ": " + t);
                }
                long allocated = Mutations.allocatedBytes() - before;
                if (allocated > allocationLimit) failures.add(m.what() + ": allocated " + allocated + " bytes");
            }
        });
        assertTrue(failures.isEmpty(), name + ": " + failures.size() + " of " + cases + " mutants misbehaved, first: "
                + failures.subList(0, Math.min(5, failures.size())));
        return refused[0];
    }

    @Test
    void damagedIdxFilesAreReadOrRefusedCleanly() throws Exception {
        int n = 60;
        byte[] images = Fixtures.idxImages(n, 28, 28, Fixtures.randomBytes(5, n * 784));
        byte[] labels = Fixtures.idxLabels(Fixtures.randomLabels(6, n, 10));
        long limit = 8L * images.length + (2 << 20);
        int refused = fuzz("images.idx", images, 1500, 16, limit, IdxFiles::readImages);
        // the raw format has no checksum: a third of the mutants (bit flips, nearly all in pixels) pass
        assertTrue(refused >= 900, "raw: the truncations and header rewrites refused (" + refused + ")");
        fuzz("images.idx.gz", Fixtures.gzip(images), 1500, 16, limit, IdxFiles::readImages);
        // damage inside the compressed stream: the IDX header behind a valid gzip layer
        fuzz("inner.idx.gz", images, 1500, 16, limit, Fixtures::gzip, IdxFiles::readImages);
        fuzz("labels.idx", labels, 600, 8, limit, f -> IdxFiles.readLabels(f, 10));
        fuzz("inner-labels.idx.gz", labels, 600, 8, limit, Fixtures::gzip, f -> IdxFiles.readLabels(f, 10));
        fuzz("labels.idx.gz", Fixtures.gzip(labels), 600, 8, limit, f -> IdxFiles.readLabels(f, 10));
    }

    @Test
    void everyCutOfAGzipIdxFileIsRefusedAndSaysHowManyImagesItHeld() throws Exception {
        int n = 40;
        byte[] gz = Fixtures.gzip(Fixtures.idxImages(n, 28, 28, Fixtures.randomBytes(7, n * 784)));
        Path file = dir.resolve("cut.gz");
        for (int len = 1; len < gz.length; len += 7) {
            Files.write(file, java.util.Arrays.copyOf(gz, len));
            BnnInputException e = assertThrows(BnnInputException.class, () -> IdxFiles.readImages(file), "cut at " + len);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }
        // a cut inside the pixels names the count of whole images read
        Files.write(file, java.util.Arrays.copyOf(gz, gz.length * 3 / 4));
        BnnInputException e = assertThrows(BnnInputException.class, () -> IdxFiles.readImages(file));
        assertTrue(e.getMessage().matches(".*is truncated: .*the data ends after \\d+ of 40 images.*"), e.getMessage());
    }

    @Test
    void damagedCifarArchivesAreRefusedCleanly() throws Exception {
        byte[] batch = Fixtures.cifar(null, Fixtures.randomLabels(8, 20, 10), Fixtures.randomBytes(9, 20 * 3072));
        byte[] good = CifarFilesTest.tarGz(Map.of("cifar-10-batches-bin/data_batch_1.bin", batch,
                "cifar-10-batches-bin/test_batch.bin", batch));
        Path folder = dir.resolve("cifar");
        Files.createDirectories(folder);
        long limit = 16L * 2 * batch.length + (4 << 20);
        fuzz("cifar/cifar-10-binary.tar.gz", good, 600, 64, limit, f -> Datasets.load(folder, Split.TRAIN));
        // every cut: refused, one line
        Path file = folder.resolve("cifar-10-binary.tar.gz");
        for (int len = 1; len < good.length; len += 97) {
            Files.write(file, java.util.Arrays.copyOf(good, len));
            BnnInputException e = assertThrows(BnnInputException.class, () -> Datasets.load(folder, Split.TEST), "cut at " + len);
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void damagedPngFilesAreRefusedCleanly() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(3);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.getRaster().setSample(x, y, 0, r.nextInt(256));
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        fuzz("image.png", out.toByteArray(), 600, 64, 64L << 20, f -> ImageFiles.read(f, 1, 32, 32));
    }
}
