package io.bnn4j.data;

import io.bnn4j.BnnInputException;
import io.bnn4j.data.CifarFiles.Kind;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static io.bnn4j.data.CifarFiles.IMAGE_BYTES;
import static io.bnn4j.data.CifarFiles.SIDE;

/**
 * Streams a CIFAR split out of the official .tar.gz (gunzip, then commons-compress's tar
 * reader). A class of its own so that only this code, not every CIFAR or IDX load, links
 * against commons-compress.
 */
final class CifarArchive {

    private CifarArchive() {}

    private record Part(byte[] pixels, int[] labels) {}

    /** Whether the split is in the archive and, when decoding, its images. */
    record Scan(boolean present, Dataset data) {}

    static Scan scan(Path archive, Kind kind, Split split, boolean decode, List<String> givenNames) {
        long archiveSize = DataFiles.requireFile(archive);
        if (!DataFiles.isGzip(archive)) {
            throw DataFiles.error(archive, "is not gzip-compressed (expected the official " + kind.archiveName() + ")");
        }
        TreeMap<Integer, Part> train = new TreeMap<>();   // batch number -> decoded batch
        Part test = null;
        boolean sawTest = false;
        List<String> names = null;
        long totalRecords = 0;
        try (InputStream file = Files.newInputStream(archive);
             InputStream gz = new GZIPInputStream(new BufferedInputStream(file, 1 << 16), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) continue;
                String name = entry.getName();
                String base = name.substring(name.lastIndexOf('/') + 1);
                String where = archive + " (" + name + ")";
                long size = entry.getSize();
                if (base.equals(kind.namesFile())) {
                    if (size > ClassNames.MAX_NAMES_BYTES) {
                        throw new BnnInputException(where + ": is " + size + " bytes, too large for a class names file");
                    }
                    names = ClassNames.parse(DataFiles.readExactly(tar, size, archive, "class names"));
                    continue;
                }
                int number = kind.trainBatchNumber(base);
                boolean isTest = base.equals(kind.testFile());
                if (number < 0 && !isTest) continue;
                if ((isTest && sawTest) || train.containsKey(number)) {
                    throw DataFiles.error(archive, "holds " + base + " twice");
                }
                if (size <= 0 || size % kind.recordBytes() != 0) {
                    throw new BnnInputException(where + ": is not a " + kind + " batch: its " + size
                            + " bytes are not a whole, non-zero number of " + kind.recordBytes() + "-byte records");
                }
                DataFiles.checkGzipClaim(archive, archiveSize, size, kind + " records");
                int records = (int) (size / kind.recordBytes());
                totalRecords += records;
                CifarFiles.checkTotal(archive, totalRecords);
                Part part = null;
                boolean wanted = isTest == (split == Split.TEST);
                if (decode && wanted) {
                    part = new Part(new byte[records * IMAGE_BYTES], new int[records]);
                    CifarFiles.decode(tar, records, kind, part.pixels, part.labels, 0, where);
                }
                if (isTest) {
                    sawTest = true;
                    test = part;
                } else {
                    train.put(number, part);
                }
            }
        } catch (IOException e) {
            throw DataFiles.ioError(archive, e);
        }
        if (train.isEmpty() && !sawTest) {
            throw DataFiles.error(archive, "holds no " + kind + " batches (expected " + kind.folder() + "/"
                    + kind.trainFilesText() + " and " + kind.folder() + "/" + kind.testFile() + ")");
        }
        if (train.isEmpty()) {
            throw DataFiles.error(archive, "holds no " + kind + " training batches (expected " + kind.folder() + "/"
                    + kind.trainFilesText() + ")");
        }
        CifarFiles.checkConsecutive(archive, kind, train.keySet());
        boolean present = split == Split.TRAIN || sawTest;
        if (!present || !decode) return new Scan(present, null);

        List<String> classNames = givenNames != null ? givenNames : names != null ? names : kind.defaultClassNames();
        CifarFiles.checkNames(archive, kind, classNames);
        List<Part> parts = split == Split.TEST ? List.of(test) : new ArrayList<>(train.values());
        int n = 0;
        for (Part p : parts) n += p.labels.length;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] labels = new int[n];
        int at = 0;
        for (Part p : parts) {
            System.arraycopy(p.pixels, 0, pixels, at * IMAGE_BYTES, p.pixels.length);
            System.arraycopy(p.labels, 0, labels, at, p.labels.length);
            at += p.labels.length;
        }
        return new Scan(true, Dataset.wrap(archive + " (" + split.name().toLowerCase() + ")", 3, SIDE, SIDE, pixels,
                labels, classNames));
    }
}
