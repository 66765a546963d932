package io.bnn4j.parallel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class ParallelTest {

    private static final int[] SIZES = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 97, 1000, 1021, 4099};

    @Test
    void everyIndexVisitedExactlyOnceForAnyThreadCount() {
        for (int threads = 1; threads <= 8; threads++) {
            try (Parallel par = new Parallel(threads)) {
                for (int n : SIZES) {
                    for (int blockSize : new int[]{1, 3, 8, 64, 5000}) {
                        AtomicIntegerArray visits = new AtomicIntegerArray(n);
                        par.forBlocks(n, blockSize, (b, from, to) -> {
                            assertEquals(b * blockSize, from);
                            for (int i = from; i < to; i++) visits.incrementAndGet(i);
                        });
                        for (int i = 0; i < n; i++) assertEquals(1, visits.get(i), "n=" + n + " threads=" + threads);
                    }
                    AtomicIntegerArray visits = new AtomicIntegerArray(n);
                    par.forRange(n, 4, (b, from, to) -> {
                        for (int i = from; i < to; i++) visits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, visits.get(i));
                }
            }
        }
    }

    @Test
    void blockPartitionDoesNotDependOnThreadCount() {
        int n = 1021, block = 37;
        String reference = null;
        for (int threads = 1; threads <= 8; threads++) {
            try (Parallel par = new Parallel(threads)) {
                long[] starts = new long[(n + block - 1) / block];
                par.forBlocks(n, block, (b, from, to) -> starts[b] = ((long) from << 32) | to);
                String s = java.util.Arrays.toString(starts);
                if (reference == null) reference = s;
                assertEquals(reference, s, "threads=" + threads);
            }
        }
    }

    @Test
    void usesSeveralThreadsAndNestedCallsRunInline() throws Exception {
        try (Parallel par = new Parallel(4)) {
            java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicInteger inner = new AtomicInteger();
            par.forBlocks(64, 1, (b, from, to) -> {
                seen.add(Thread.currentThread());
                busyWait(200_000);
                par.forBlocks(10, 1, (b2, f2, t2) -> inner.incrementAndGet());   // nested: inline
            });
            assertEquals(640, inner.get());
            assertTrue(seen.size() >= 2, "expected several threads, saw " + seen.size());
        }
    }

    @Test
    void failuresPropagateToTheCaller() {
        try (Parallel par = new Parallel(3)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> par.forBlocks(100, 1, (b, from, to) -> {
                        if (b == 57) throw new IllegalStateException("block 57");
                    }));
            assertEquals("block 57", e.getMessage());
            // the pool still works afterwards
            AtomicInteger count = new AtomicInteger();
            par.forBlocks(100, 1, (b, from, to) -> count.incrementAndGet());
            assertEquals(100, count.get());
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        assertThrows(IllegalArgumentException.class, () -> Parallel.serial().forBlocks(-1, 1, (b, f, t) -> {}));
        assertThrows(IllegalArgumentException.class, () -> Parallel.serial().forBlocks(1, 0, (b, f, t) -> {}));
    }

    private static void busyWait(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }
}
