package io.bnn4j.jmh;

import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Predictor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The library's prediction path ({@link Predictor}), one thread, fresh LeNet-5 (1×32×32, 10
 * classes), serial contexts:
 * <ul>
 *   <li>{@code singleImage}: latency of one image with {@code samples} Monte-Carlo samples (10);</li>
 *   <li>{@code meanWeights}: the same image, one deterministic pass (the floor of the latency);</li>
 *   <li>{@code batch}: throughput of 256 images × 1 sample (ops = images).</li>
 * </ul>
 * Run with {@code -prof gc} to see the allocation per operation ({@code gc.alloc.rate.norm}):
 * the predictor itself allocates nothing per call; any bytes shown come from the kernels (see
 * PredictorTest). Example:
 * {@code java -jar jmh/target/benchmarks.jar PredictorBenchmark -prof gc}.
 */
@State(Scope.Thread)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class PredictorBenchmark {

    static final int BATCH = 256;

    @Param({"lrt"})
    public String layer;

    @Param({"10"})
    public int samples;

    private Model model;
    private Predictor mc, mean, single;
    private Predictor.Context mcContext, meanContext, batchContext;
    private float[] image, images;
    private McPrediction[] out;

    @Setup(Level.Trial)
    public void setUp() {
        model = Model.create(ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.valueOf(layer.toUpperCase(Locale.ROOT))), 1);
        mc = Predictor.builder(model).samples(samples).seed(1).maxBatch(1).build();
        mean = Predictor.builder(model).meanWeights().maxBatch(1).build();
        single = Predictor.builder(model).samples(1).seed(2).maxBatch(BATCH).build();
        mcContext = mc.newContext();
        meanContext = mean.newContext();
        batchContext = single.newContext();
        Random r = new Random(20261127);
        images = new float[BATCH * model.inputShape().size()];
        for (int i = 0; i < images.length; i++) images[i] = r.nextFloat();
        image = java.util.Arrays.copyOf(images, model.inputShape().size());
        out = new McPrediction[BATCH];
        for (int i = 0; i < BATCH; i++) out[i] = new McPrediction(10);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mc.close();
        mean.close();
        single.close();
        model.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public double singleImage() {
        return mcContext.predict(image).entropy();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public double meanWeights() {
        return meanContext.predict(image).entropy();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public double batch() {
        batchContext.predictBatch(images, 0, BATCH, out);
        return out[BATCH - 1].entropy();
    }
}
