package io.bnn4j.uncertainty;

import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Allocation-free prediction, enforced: a fresh JVM (its own JIT state, no other test's
 * classes or garbage) warms a Bayesian LeNet-5 predictor up with 20,000 one-image 10-sample
 * calls and a mean-weight predictor with 20,000 more, then counts the heap bytes of 2,000
 * further calls of each with the thread's allocation counter: both must be exactly 0 (a
 * predictor gets up to two more rounds of 20,000 warm-up calls, for a late recompilation).
 */
class PredictionAllocationForkTest {

    /** Child: prints "sampled B mean B", the bytes allocated by 2,000 calls of each kind after warm-up. */
    public static final class Probe {
        public static void main(String[] args) {
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().threadId();
            try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 1);
                 Predictor sampled = Predictor.builder(m).samples(10).build();
                 Predictor mean = Predictor.builder(m).meanWeights().build();
                 Predictor.Context cs = sampled.newContext(); Predictor.Context cm = mean.newContext()) {
                float[] image = new float[m.inputShape().size()];
                for (int i = 0; i < image.length; i++) image[i] = (i * 37 % 255) / 255f;
                double sink = 0;
                long[] bytes = new long[2];
                Predictor.Context[] contexts = {cs, cm};
                for (int k = 0; k < 2; k++) {
                    // steady state = after at most 3 × 20,000 warm-up calls (C2 may recompile late)
                    for (int attempt = 0; attempt < 3; attempt++) {
                        for (int i = 0; i < 20_000; i++) sink += contexts[k].predict(image).entropy();
                        long before = mx.getThreadAllocatedBytes(tid);
                        for (int i = 0; i < 2_000; i++) sink += contexts[k].predict(image).entropy();
                        bytes[k] = mx.getThreadAllocatedBytes(tid) - before;
                        if (bytes[k] == 0) break;
                        System.out.println("attempt " + attempt + ": " + bytes[k] + " bytes");
                    }
                }
                System.out.println("sampled " + bytes[0] + " mean " + bytes[1] + (sink == 42 ? " " : ""));
            }
        }
    }

    @Test
    void steadyStatePredictionAllocatesNothingInAFreshJvm() throws Exception {
        // the engine's classes and these test classes, as directories (surefire runs in the module's folder)
        Path classes = Path.of("target", "classes").toAbsolutePath(), tests = Path.of("target", "test-classes").toAbsolutePath();
        assertTrue(Files.isDirectory(classes) && Files.isDirectory(tests), "run from the engine module's folder");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-XX:-UsePerfData", "-cp", classes + java.io.File.pathSeparator + tests,
                Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("sampled ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals("sampled 0 mean 0", line.strip(), "heap bytes of 2,000 steady-state calls");
    }
}
