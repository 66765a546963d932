package io.bnn4j.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * {@code spark-submit} entry point: scores every image under a directory (recursively) with a bnn4j
 * model and writes one JSON object per image: {@code path} and the scorer's fields (docs/CLI.md,
 * predict, plus {@code error}).
 *
 * <p>Usage: {@code ScoreImages MODEL IMAGES_DIR OUTPUT_DIR [SAMPLES=20] [SEED=42] [PARTITIONS]}.
 * The model file must be readable at the same path on every executor (a shared file system), or
 * be shipped with {@code --files model.bnn} and named by its file name.
 */
public final class ScoreImages {

    private ScoreImages() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: ScoreImages MODEL IMAGES_DIR OUTPUT_DIR [SAMPLES=20] [SEED=42] [PARTITIONS]");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("bnn4j score " + args[1]).getOrCreate();
        try {
            Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,gif}").load(args[1]);
            if (args.length > 5) images = images.repartition(Integer.parseInt(args[5]));
            BnnScorer scorer = new BnnScorer().setModelPath(args[0])
                    .setSamples(args.length > 3 ? Integer.parseInt(args[3]) : 20).setSeed(args.length > 4 ? Long.parseLong(args[4]) : 42);
            scorer.transform(images).select(col("path"), col("bnn.*")).write().mode("errorifexists").json(args[2]);
        } catch (RuntimeException e) {
            // a missing or bad model, images folder or existing output: one line, not a stack trace
            System.err.println("bnn4j-spark: " + BnnScorer.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            spark.stop();
            System.exit(2);
        }
        spark.stop();
    }
}
