package io.bnn4j.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sweep of three rows on the bundled sample in a local Spark session: two seeds train and are
 * evaluated (each its own model file); a row with a bad setting reports its error and the job
 * goes on.
 */
class SweepTest {

    @TempDir
    Path dir;

    static Path sample() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/fashion-mnist"))) return p.resolve("testdata/fashion-mnist");
        }
        throw new AssertionError("testdata/fashion-mnist not found");
    }

    @Test
    void everyRowTrainsAndEvaluatesAndABadRowIsAnError() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bnn4j-sweep-test").config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            StructType schema = new StructType(new StructField[]{
                    DataTypes.createStructField("seed", DataTypes.LongType, false),
                    DataTypes.createStructField("layer", DataTypes.StringType, true),
                    DataTypes.createStructField("epochs", DataTypes.IntegerType, true),
                    DataTypes.createStructField("init", DataTypes.StringType, true),
                    DataTypes.createStructField("limit", DataTypes.IntegerType, true)});
            Dataset<Row> settings = spark.createDataFrame(List.of(
                    RowFactory.create(1L, "lrt", 1, "random", 300),
                    RowFactory.create(2L, "lrt", 1, "random", 300),
                    RowFactory.create(3L, "nonsense", 1, "random", 300)), schema).repartition(2);
            List<Row> rows = Sweep.run(settings, sample().toString(), dir.resolve("models").toString()).collectAsList();
            assertEquals(3, rows.size());
            for (Row r : rows) {
                long seed = r.getLong(r.fieldIndex("seed"));
                if (seed == 3) {
                    assertTrue(r.<String>getAs("error").contains("'nonsense' is not one of"), r.<String>getAs("error"));
                    assertNull(r.getAs("model"));
                    continue;
                }
                assertNull(r.getAs("error"), r.toString());
                assertTrue(Files.exists(Path.of(r.<String>getAs("model"))), r.toString());
                double acc = r.getAs("accuracy");
                assertTrue(acc > 0.2 && acc <= 1, "better than chance after one epoch on 270 images: " + acc);
                assertTrue(r.<Double>getAs("ece") >= 0 && r.<Double>getAs("seconds") > 0);
            }
        } finally {
            spark.stop();
        }
    }
}
