package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once C2 has compiled them, the Gaussian fill and the softplus / log1p kernels allocate
 * nothing per call. A vector that crosses a call C2 did not inline (a loop over its inlining
 * node budget) is boxed on the heap: that showed as kilobytes per call (240 kB per 4096-float
 * fill, 24 B per float of softplus) and a 3–4x slowdown. Heap allocation is the observable
 * symptom of that boxing, so this test guards the pass structure of SimdRandom and SimdElementwise.
 *
 * <p>Bound: fewer than 64 bytes per call averaged over {@link #MEASURED} calls (the facade may
 * make a small object or two per call; one boxed vector alone is 64 bytes of payload plus its
 * header, and a boxing loop makes one per vector). Measured in a fresh JVM: C2's inlining
 * depends on what else was compiled first (a callee already compiled as a large method is not
 * inlined), so in the test JVM, after hundreds of other tests, the outcome varied from run to
 * run; a child JVM measures the pass structure itself. If a measurement is over the bound, the
 * child warms up again (compilation may still be pending) and measures anew, a few times.
 * Only meaningful, and only run, with the SIMD backend and a per-thread allocation counter.
 */
class NoBoxingTest {

    static final int WARM_UP = 30_000, MEASURED = 2_000, ATTEMPTS = 4, LEN = 4096;
    static final double MAX_BYTES_PER_CALL = 64;

    /** Child: prints "fillGaussian B", "SOFTPLUS B", "LOG1P B", the bytes per call after warm-up. */
    public static final class Probe {
        public static void main(String[] args) {
            Kernels kernels = Kernels.instance();
            MemorySegment dst = Arena.ofAuto().allocate((long) LEN * Float.BYTES, 64);
            long[] call = {0};
            System.out.println("fillGaussian " + bytesPerCall(() -> kernels.fillGaussian(Parallel.serial(), 42, 7, LEN * call[0]++, LEN, dst, 0)));
            Arena arena = Arena.ofAuto();
            MemorySegment x = arena.allocate((long) LEN * Float.BYTES, 64), y = arena.allocate((long) LEN * Float.BYTES, 64);
            // both branches of softplus (|x| > 20) and the log1p special values (−1, below −1, +∞) occur
            for (int i = 0; i < LEN; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 500 - 250) * 0.1f);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, 7, Float.POSITIVE_INFINITY);
            for (UnaryOp op : new UnaryOp[]{UnaryOp.SOFTPLUS, UnaryOp.LOG1P}) {
                System.out.println(op + " " + bytesPerCall(() -> kernels.unary(op, LEN, x, 0, y, 0)));
            }
        }
    }

    @Test
    void gaussianFillSoftplusAndLog1pAllocateNothingOnceCompiled() throws Exception {
        simdKernels();
        Path classes = Path.of("target", "classes").toAbsolutePath(), tests = Path.of("target", "test-classes").toAbsolutePath();
        assertTrue(Files.isDirectory(classes) && Files.isDirectory(tests), "run from the engine module's folder");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-XX:-UsePerfData", "-cp", classes + java.io.File.pathSeparator + tests,
                Probe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        for (String kernel : List.of("fillGaussian", "SOFTPLUS", "LOG1P")) {
            String line = out.lines().filter(l -> l.startsWith(kernel + " ")).findFirst().orElseThrow(() -> new AssertionError(out));
            double bytes = Double.parseDouble(line.substring(kernel.length() + 1).strip());
            assertTrue(bytes < MAX_BYTES_PER_CALL, kernel + "(" + LEN + ") allocates " + bytes + " bytes per call");
        }
    }

    private static Kernels simdKernels() {
        Kernels kernels = Kernels.instance();
        Assumptions.assumeTrue(kernels.isSimd(), "the scalar backend is in use");
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        return kernels;
    }

    /** Bytes allocated per call of body, after warm-up; warms up again while over the bound. */
    private static double bytesPerCall(Runnable body) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        double bytes = Double.NaN;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            for (int i = 0; i < WARM_UP; i++) body.run();
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < MEASURED; i++) body.run();
            bytes = (double) (mx.getThreadAllocatedBytes(thread) - before) / MEASURED;
            if (bytes < MAX_BYTES_PER_CALL) break;
        }
        return bytes;
    }
}
