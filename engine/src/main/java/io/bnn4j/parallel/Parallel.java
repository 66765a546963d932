package io.bnn4j.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of threads that runs index-range loops, with deterministic partitioning.
 *
 * <p>Two ways to split [0, n):
 * <ul>
 *   <li>{@link #forBlocks(int, int, RangeBody)}: fixed blocks of {@code blockSize} indices,
 *       whatever the thread count. Code whose per-block result is combined in block order
 *       (reductions over a batch, for instance) is then bit-for-bit independent of the number
 *       of threads.</li>
 *   <li>{@link #forRange(int, int, RangeBody)}: one contiguous part per thread (at least
 *       {@code minGrain} indices each), for loops whose blocks write disjoint outputs.</li>
 * </ul>
 * Blocks are claimed dynamically by the workers and the calling thread (which takes part),
 * so which thread runs a block varies, but the blocks themselves never do.
 *
 * <p>One loop runs at a time on a pool. A nested call (from inside a body) or a call while
 * another thread holds the pool runs serially on the caller: never a deadlock, never two
 * pools fighting for the same cores. {@link #serial()} is a pool of one that always runs
 * inline: use it on request paths that must not share threads.
 */
public final class Parallel implements AutoCloseable {

    /** The body of a loop: handles indices {@code [from, to)} of block {@code block}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int block, int from, int to);
    }

    private static final Parallel SERIAL = new Parallel(1);

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock busy = new ReentrantLock();

    // The loop in flight; written by the caller before waking workers.
    private volatile Job job;
    private volatile boolean shutdown;

    private static final class Job {
        final RangeBody body;
        final int n, blockSize, blocks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Thread caller;
        volatile Throwable failure;

        Job(RangeBody body, int n, int blockSize, Thread caller) {
            this.body = body;
            this.n = n;
            this.blockSize = blockSize;
            this.blocks = (int) ((n + (long) blockSize - 1) / blockSize);
            this.caller = caller;
        }

        /** Claims and runs blocks until none are left. */
        void work() {
            int b;
            while ((b = next.getAndIncrement()) < blocks) {
                try {
                    if (failure == null) {
                        int from = b * blockSize;
                        body.run(b, from, Math.min(n, from + blockSize));
                    }
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    if (done.incrementAndGet() == blocks) LockSupport.unpark(caller);
                }
            }
        }
    }

    /** A pool of {@code threads} threads, the caller counted as one of them. */
    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "bnn4j-worker-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The pool that runs everything on the calling thread. */
    public static Parallel serial() { return SERIAL; }

    public int threads() { return threads; }

    /**
     * Runs {@code body} over fixed blocks of {@code blockSize} indices covering [0, n);
     * block b is [b·blockSize, min(n, (b+1)·blockSize)). Returns when all blocks are done;
     * rethrows the first failure.
     */
    public void forBlocks(int n, int blockSize, RangeBody body) {
        if (n < 0) throw new IllegalArgumentException("negative range " + n);
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        if (n == 0) return;
        int blocks = (int) ((n + (long) blockSize - 1) / blockSize);
        if (threads == 1 || blocks == 1 || busy.isHeldByCurrentThread() || !busy.tryLock()) {
            runInline(n, blockSize, blocks, body);
            return;
        }
        try {
            Job j = new Job(body, n, blockSize, Thread.currentThread());
            job = j;
            for (Thread w : workers) LockSupport.unpark(w);
            j.work();
            while (j.done.get() < j.blocks) {
                LockSupport.parkNanos(this, 50_000);
            }
            job = null;
            rethrow(j.failure);
        } finally {
            busy.unlock();
        }
    }

    /**
     * Runs {@code body} over [0, n) split into one contiguous part per thread, each of at least
     * {@code minGrain} indices (so small loops stay on the caller).
     */
    public void forRange(int n, int minGrain, RangeBody body) {
        if (n < 0) throw new IllegalArgumentException("negative range " + n);
        if (n == 0) return;
        int parts = (int) Math.max(1, Math.min(threads, n / Math.max(1L, minGrain)));
        int blockSize = (int) ((n + (long) parts - 1) / parts);
        forBlocks(n, blockSize, body);
    }

    private static void runInline(int n, int blockSize, int blocks, RangeBody body) {
        for (int b = 0; b < blocks; b++) {
            int from = b * blockSize;
            body.run(b, from, Math.min(n, from + blockSize));
        }
    }

    private static void rethrow(Throwable t) {
        if (t == null) return;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new RuntimeException(t);
    }

    private void workerLoop() {
        Job last = null;
        while (!shutdown) {
            Job j = job;
            if (j != null && j != last) {
                last = j;
                j.work();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Stops the workers (the serial pool ignores this). */
    @Override
    public void close() {
        if (this == SERIAL) return;
        shutdown = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
