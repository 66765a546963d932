package io.bnn4j.spark;

import io.bnn4j.Progress;
import io.bnn4j.io.ModelStore;
import io.bnn4j.job.PredictJob;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.uncertainty.Normalization;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The scorer in a local Spark session (2 threads, up to 4 attempts per task): its scores equal
 * what {@code bnn predict} computes (the engine's PredictJob) for the same files, model, seed and
 * samples, for 1 and 3 partitions and after a forced task retry; a corrupt image is one null row
 * with an error; a missing model fails before any task runs.
 */
class BnnScorerTest {

    @TempDir
    static Path dir;

    static SparkSession spark;
    static Path model, images;
    static List<Path> files = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        images = Files.createDirectories(dir.resolve("images"));
        for (int k = 0; k < 8; k++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, (x * 7 + y * (k + 3) * 5) % 256);
            Path f = images.resolve("img" + k + ".png");
            assertTrue(ImageIO.write(img, "png", f.toFile()));
            files.add(f);
        }
        Files.write(images.resolve("bad.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        model = dir.resolve("m.bnn");
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 3)) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < 10; c++) names.add("class" + c);
            ModelStore.save(m, ModelStore.ModelInfo.of(names), null, model);
        }
        spark = SparkSession.builder().master("local[2,4]").appName("bnn4j-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "3").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) spark.stop();
    }

    /** What bnn predict computes for the good files: file name -> (predicted, probabilities, mutual information). */
    static Map<String, Object[]> expected(int samples, long seed) {
        Map<String, Object[]> m = new HashMap<>();
        new PredictJob(model, samples, Normalization.SOFTMAX, files, seed, 1, null).run(Progress.SILENT, item -> m.put(
                item.input().getFileName().toString(), new Object[]{item.prediction().predicted(), item.prediction().probabilities(),
                        item.prediction().mutualInformation(), item.label()}));
        return m;
    }

    static Map<String, Row> scored(Dataset<Row> in, int samples, long seed) {
        Dataset<Row> out = new BnnScorer().setModelPath(model.toString()).setSamples(samples).setSeed(seed).transform(in);
        Map<String, Row> m = new HashMap<>();
        for (Row r : out.select(col("path"), col("bnn")).collectAsList()) m.put(BnnScorer.lastSegment(r.getString(0)), r.getStruct(1));
        return m;
    }

    static void assertSame(Map<String, Object[]> expected, Map<String, Row> got) {
        assertEquals(expected.size() + 1, got.size(), "every file scored, the corrupt one too");
        for (var e : expected.entrySet()) {
            Row r = got.get(e.getKey());
            assertNull(r.getAs("error"), e.getKey());
            assertEquals(e.getValue()[0], r.<Integer>getAs("predicted"), e.getKey());
            assertEquals(e.getValue()[3], r.getAs("label"), e.getKey());
            List<Double> probs = r.getList(r.fieldIndex("probabilities"));
            double[] want = (double[]) e.getValue()[1];
            for (int c = 0; c < want.length; c++) assertEquals(want[c], probs.get(c), 0.0, e.getKey() + " class " + c);
            assertEquals((Double) e.getValue()[2], r.<Double>getAs("mutual_information"), 0.0, e.getKey());
        }
    }

    @Test
    void scoresEqualBnnPredictForOneAndThreePartitionsAndACorruptImageIsOneErrorRow() {
        Map<String, Object[]> want = expected(10, 7);
        Dataset<Row> files = spark.read().format("binaryFile").load(images.toString());
        Map<String, Row> one = scored(files.coalesce(1), 10, 7), three = scored(files.repartition(3), 10, 7);
        assertSame(want, one);
        assertSame(want, three);
        Row bad = three.get("bad.png");
        assertNull(bad.getAs("predicted"));
        assertTrue(bad.<String>getAs("error").contains("bad.png"), bad.<String>getAs("error"));
        assertNotEquals(want.get("img0.png")[2], expected(10, 8).get("img0.png")[2], "the seed matters");
    }

    @Test
    void aRetriedTaskGivesTheSameScores() {
        Map<String, Object[]> want = expected(5, 11);
        Dataset<Row> files = spark.read().format("binaryFile").load(images.toString()).repartition(3);
        Dataset<Row> out = new BnnScorer().setModelPath(model.toString()).setSamples(5).setSeed(11).transform(files);
        // fail the first attempt of partition 1 once a row has been scored (the filter reads the
        // scores): Spark reruns the task (local[2,4]: up to 4 attempts), which scores its rows again
        FAILED_ATTEMPTS.set(0);
        var failOnce = udf((UDF1<Row, Boolean> ) scores -> {
            TaskContext t = TaskContext.get();
            if (t.partitionId() == 1 && t.attemptNumber() == 0) {
                FAILED_ATTEMPTS.incrementAndGet();
                throw new IllegalStateException("forced failure of the first attempt");
            }
            return true;
        }, org.apache.spark.sql.types.DataTypes.BooleanType);
        Dataset<Row> retried = out.filter(failOnce.apply(col("bnn")));
        Map<String, Row> got = new HashMap<>();
        for (Row r : retried.select(col("path"), col("bnn")).collectAsList()) got.put(BnnScorer.lastSegment(r.getString(0)), r.getStruct(1));
        assertSame(want, got);
        assertEquals(1, FAILED_ATTEMPTS.get(), "one attempt failed and was retried");
    }

    static final java.util.concurrent.atomic.AtomicInteger FAILED_ATTEMPTS = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void aMissingModelFailsTheJobWithOneMessage() {
        Dataset<Row> files = spark.read().format("binaryFile").load(images.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BnnScorer().setModelPath(dir.resolve("missing.bnn").toString()).transform(files));
        assertEquals(dir.resolve("missing.bnn") + ": no such model file", e.getMessage());
    }
}
