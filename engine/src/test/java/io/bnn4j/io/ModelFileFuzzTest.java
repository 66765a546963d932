package io.bnn4j.io;

import io.bnn4j.BnnInputException;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import io.bnn4j.train.TrainerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Thousands of damaged model files per run, from a fixed seed: every one must load or fail
 * with a {@link BnnInputException} (never another exception, never a hang), allocate on the
 * heap no more than a small multiple of the file's size (nothing sized by a header), and give
 * back every off-heap byte. Header rewrites get a recomputed checksum so that they reach the
 * structural checks behind it; bit flips and truncations keep the stored one.
 */
class ModelFileFuzzTest {

    static final int CASES = 3000;
    static final List<String> CLASSES = List.of("a", "b", "c", "d");

    @TempDir
    Path dir;

    /** A small pruned checkpoint: every section of the format (metadata, dense and masked tensors, optimizer state). */
    private byte[] goodFile() throws Exception {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 4).withWidths(3, 4, 10, 8);
        Path file = dir.resolve("good.bnn");
        try (Model m = Model.create(spec, 3)) {
            Parameter p = m.parameter("fc1.weight");
            float[] mask = new float[p.size()];
            for (int i = 0; i < mask.length; i++) mask[i] = i % 4 == 0 ? 1f : 0f;
            p.setMask(mask);
            ModelStore.save(m, new ModelStore.ModelInfo(CLASSES, io.bnn4j.data.ImageTransform.PAD, 3, 2, "digest", io.bnn4j.bayes.KlKind.STANDARD),
                    new TrainerState(2, 40, 1e-3, 0.5, 0), file);
        }
        return Files.readAllBytes(file);
    }

    @Test
    void damagedModelFilesFailWithTheDocumentedExceptionOnly() throws Exception {
        byte[] good = goodFile();
        try (ModelStore.Loaded l = ModelStore.load(dir.resolve("good.bnn"))) {
            assertEquals(CLASSES, l.info().classNames(), "the undamaged file loads");
        }
        Path file = dir.resolve("mutant.bnn");
        Random r = new Random(20261204);
        List<String> failures = new ArrayList<>();
        int[] outcomes = new int[2];   // loaded, rejected
        long directBefore = directMemoryUsed();
        long worstAllocation = 0;
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < CASES; i++) {
                Mutations.Mutant m = Mutations.mutate(good, r, i, 2048);
                byte[] bytes = i % 3 == 2 ? Mutations.withModelChecksum(m.bytes()) : m.bytes();
                Files.write(file, bytes);
                long before = Mutations.allocatedBytes();
                try (ModelStore.Loaded l = ModelStore.load(file)) {
                    outcomes[0]++;
                    assertNotNull(l.model());
                } catch (BnnInputException e) {
                    outcomes[1]++;
                    if (e.getMessage() == null || e.getMessage().contains("\n")) failures.add(m.what() + ": message not one line: " + e.getMessage());
                } catch (Throwable t) {
                    failures.add(m.what() + ": " + t);
                }
                long allocated = Mutations.allocatedBytes() - before;
                if (allocated > 16L * good.length + (4 << 20)) failures.add(m.what() + ": allocated " + allocated + " bytes on the heap");
            }
        });
        assertTrue(failures.isEmpty(), failures.size() + " of " + CASES + " mutants misbehaved, first: "
                + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(outcomes[1] > CASES / 2, "most mutants must be rejected: " + outcomes[1] + " of " + CASES);
        assertEquals(directBefore, directMemoryUsed(), "every off-heap byte of a failed load is given back");
    }

    @Test
    void aHeaderThatDescribesAHugeModelIsRefusedBeforeAllocating() throws Exception {
        // A valid file (checksum and all) whose metadata claims widths far beyond its tensors:
        // the loader must compare the claim with the stored tensors before allocating the model.
        ModelSpec spec = ModelSpec.of("lenet5", 1, 4).withWidths(3, 4, 10, 8);
        Path file = dir.resolve("liar.bnn");
        try (Model m = Model.create(spec, 3)) {
            ModelStore.save(m, new ModelStore.ModelInfo(CLASSES, io.bnn4j.data.ImageTransform.PAD, 3, 2, null, io.bnn4j.bayes.KlKind.STANDARD), null, file);
        }
        byte[] bytes = Files.readAllBytes(file);
        byte[] huge = replaceWidths(bytes, new String[]{"3", "4", "10", "8"}, new String[]{"65536", "65536", "65536", "65536"});
        assertNotNull(huge, "the widths are stored as a string list in the metadata");
        Files.write(file, Mutations.withModelChecksum(huge));
        long directBefore = directMemoryUsed();
        BnnInputException e = assertThrows(BnnInputException.class, () -> ModelStore.load(file));
        assertTrue(e.getMessage().contains("tensor 'conv1.weight.mu' has shape [3, 1, 5, 5], the architecture needs [65536, 1, 5, 5]"), e.getMessage());
        assertEquals(directBefore, directMemoryUsed());
    }

    /** The file with its width strings replaced (length-prefixed u32 LE strings, rewritten in place with their new lengths). */
    private static byte[] replaceWidths(byte[] file, String[] from, String[] to) {
        // Find the sequence of length-prefixed strings "3","4","10","8" and rebuild the file around it.
        byte[] seq = lengthPrefixed(from);
        int at = ModelFileTest.indexOf(file, seq);
        if (at < 0) return null;
        byte[] rep = lengthPrefixed(to);
        byte[] out = new byte[file.length - seq.length + rep.length];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(rep, 0, out, at, rep.length);
        System.arraycopy(file, at + seq.length, out, at + rep.length, file.length - at - seq.length);
        return out;
    }

    private static byte[] lengthPrefixed(String[] values) {
        var out = new java.io.ByteArrayOutputStream();
        for (String v : values) {
            byte[] b = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int k = 0; k < 4; k++) out.write(b.length >>> (8 * k));
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** Off-heap bytes reserved by NIO and by the FFM arenas (both count in the "direct" pool). */
    static long directMemoryUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) return b.getMemoryUsed();
        }
        throw new AssertionError("no direct buffer pool");
    }
}
