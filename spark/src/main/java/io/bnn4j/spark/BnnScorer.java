package io.bnn4j.spark;

import io.bnn4j.BnnInputException;
import io.bnn4j.io.ModelStore;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Predictor;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/**
 * A Spark ML {@link Transformer} that scores images with a bnn4j model and every uncertainty
 * figure of {@code bnn predict}: it adds one struct column ({@link #OUTPUT_TYPE}) per row.
 *
 * <p>Input: a column of image file bytes (PNG, JPEG, …: the {@code content} column of
 * {@code spark.read.format("binaryFile")}) or of float arrays (the model's input, C·H·W values in
 * [0, 1]), and a key column (default {@code path}). A row's noise is keyed by the seed and the
 * last segment of its key ({@link Predictor#rowKey}), so its scores do not depend on the
 * partitioning, the executor or a retried task, and equal {@code bnn predict}'s for the same file
 * name, model, seed and samples.
 *
 * <p>Each executor JVM loads the model once per (model file, samples, seed) and keeps it; rows
 * borrow prediction contexts from a pool. The model path must be a local path, the same on every
 * executor (a shared file system, or the file shipped with {@code spark-submit --files}). A row that cannot be scored (a corrupt image, a
 * wrong size) gets null figures and an {@code error}; a missing model file fails the job before
 * any task runs, with one message.
 */
public final class BnnScorer extends Transformer {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The output struct: what {@code bnn predict --json} writes, plus {@code error}. */
    public static final StructType OUTPUT_TYPE = new StructType(new StructField[]{
            DataTypes.createStructField("predicted", DataTypes.IntegerType, true),
            DataTypes.createStructField("label", DataTypes.StringType, true),
            DataTypes.createStructField("confidence", DataTypes.DoubleType, true),
            DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.DoubleType, false), true),
            DataTypes.createStructField("entropy", DataTypes.DoubleType, true),
            DataTypes.createStructField("expected_entropy", DataTypes.DoubleType, true),
            DataTypes.createStructField("mutual_information", DataTypes.DoubleType, true),
            DataTypes.createStructField("aleatoric", DataTypes.DoubleType, true),
            DataTypes.createStructField("epistemic", DataTypes.DoubleType, true),
            DataTypes.createStructField("samples", DataTypes.IntegerType, true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    private final String uid;
    // made in the constructor, after uid (a Param reads its parent's uid when it is made); Spark
    // finds a transformer's params through its public no-argument methods returning a Param
    private final Param<String> modelPath, inputCol, keyCol, outputCol;
    private final IntParam samples;
    private final LongParam seed;

    public BnnScorer() {
        this(Identifiable$.MODULE$.randomUID("bnnScorer"));
    }

    public BnnScorer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the bnn4j model file (readable from every executor)");
        inputCol = new Param<>(this, "inputCol", "image file bytes (binary) or model inputs (array<float>)");
        keyCol = new Param<>(this, "keyCol", "a stable row key; its last '/' segment keys the row's noise");
        outputCol = new Param<>(this, "outputCol", "the struct column added");
        samples = new IntParam(this, "samples", "Monte-Carlo samples T (>= 1)");
        seed = new LongParam(this, "seed", "the noise seed");
        setDefault(inputCol, "content");
        setDefault(keyCol, "path");
        setDefault(outputCol, "bnn");
        setDefault(samples, 20);
        setDefault(seed, 42L);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> modelPath() { return modelPath; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> keyCol() { return keyCol; }
    public Param<String> outputCol() { return outputCol; }
    public IntParam samples() { return samples; }
    public LongParam seed() { return seed; }

    public BnnScorer setModelPath(String v) { set(modelPath, v); return this; }
    public BnnScorer setInputCol(String v) { set(inputCol, v); return this; }
    public BnnScorer setKeyCol(String v) { set(keyCol, v); return this; }
    public BnnScorer setOutputCol(String v) { set(outputCol, v); return this; }
    public BnnScorer setSamples(int v) { set(samples, v); return this; }
    public BnnScorer setSeed(long v) { set(seed, v); return this; }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = $(inputCol), key = $(keyCol);
        DataType t = schema.apply(in).dataType();
        if (!t.equals(DataTypes.BinaryType) && !t.equals(DataTypes.createArrayType(DataTypes.FloatType, true))
                && !t.equals(DataTypes.createArrayType(DataTypes.FloatType, false))) {
            throw new IllegalArgumentException("column " + in + " is " + t.simpleString() + "; expected binary (image bytes) or array<float>");
        }
        schema.apply(key);
        return schema.add($(outputCol), OUTPUT_TYPE, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        if (!isDefined(modelPath)) throw new IllegalArgumentException("BnnScorer: set the model file (setModelPath)");
        String model = $(modelPath);
        int t = (Integer) $(samples);
        if (t < 1) throw new IllegalArgumentException("BnnScorer: samples must be >= 1, got " + t);
        // a local path, the same on every executor (a shared file system, or shipped with --files)
        if (!Files.isRegularFile(Path.of(model))) throw new IllegalArgumentException(model + ": no such model file");
        ModelStore.loadClassifier(Path.of(model)).close();   // a corrupt or regression model fails here, on the driver, in one line
        // the file's size and time as the driver sees them key the executors' cache: a model rewritten
        // at the same path is loaded anew by the next transform, and rows stat nothing
        long bytes, modified;
        try {
            bytes = Files.size(Path.of(model));
            modified = Files.getLastModifiedTime(Path.of(model)).toMillis();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(model + ": cannot be read (" + e.getMessage() + ")", e);
        }
        Scoring scoring = new Scoring(new Executors.Key(model, bytes, modified, t, (Long) $(seed)));
        boolean binary = dataset.schema().apply($(inputCol)).dataType().equals(DataTypes.BinaryType);
        UserDefinedFunction f = udf((UDF2<Object, Object, Row>) (input, key) -> scoring.score(input, key, binary), OUTPUT_TYPE);
        return dataset.withColumn($(outputCol), f.apply(col($(inputCol)), col($(keyCol))));
    }

    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** What a task needs: serialisable, the predictor looked up on the executor. */
    record Scoring(Executors.Key key) implements java.io.Serializable {

        Row score(Object input, Object rowKey, boolean binary) {
            String name = lastSegment(rowKey == null ? "" : rowKey.toString());
            try {
                if (input == null) throw new BnnInputException(name + ": no input");
                Executors.Scorer scorer = Executors.scorer(key);
                Predictor predictor = scorer.predictor();
                float[] image = binary ? predictor.readImage((byte[]) input, name) : floats(input, predictor.inputSize());
                Predictor.Context ctx = scorer.borrow();
                try {
                    McPrediction p = ctx.predictKeyed(image, Predictor.rowKey(name));
                    boolean split = !p.isMeanWeights();
                    return RowFactory.create(p.predicted(), predictor.className(p.predicted()), p.confidence(),
                            scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.stream(p.probabilities()).boxed().toList()).toSeq(),
                            p.entropy(), split ? p.expectedEntropy() : null, split ? p.mutualInformation() : null,
                            split ? p.aleatoric() : null, split ? p.epistemic() : null, split ? p.samples() : 0, null);
                } finally {
                    scorer.giveBack(ctx);
                }
            } catch (BnnInputException | IllegalArgumentException e) {
                return RowFactory.create(null, null, null, null, null, null, null, null, null, null, oneLine(e.getMessage()));
            }
        }

        private static float[] floats(Object input, int size) {
            scala.collection.Seq<?> seq = (scala.collection.Seq<?>) input;
            if (seq.size() != size) throw new IllegalArgumentException(seq.size() + " values, the model takes " + size);
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                Object x = seq.apply(i);
                if (x == null) throw new IllegalArgumentException("value " + i + " is null");
                v[i] = (Float) x;
            }
            return v;
        }
    }

    /** The last '/'-separated segment of a key: a file name from a path or URI. */
    static String lastSegment(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    static String oneLine(String m) {
        return m == null ? "error" : m.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * The predictors of this JVM, one per (model file, its size and modification time as the
     * driver saw them, samples, seed): made on first use and kept.
     * Prediction contexts are pooled per predictor (borrowed for one row, given back), not tied to
     * threads: Spark's task threads come and go, and a context holds off-heap scratch.
     */
    static final class Executors {
        /** A model file as the driver saw it (path, size, modification time), and how to sample. */
        record Key(String model, long bytes, long modified, int samples, long seed) implements java.io.Serializable {}

        record Scorer(Predictor predictor, java.util.concurrent.ConcurrentLinkedQueue<Predictor.Context> pool) {
            Predictor.Context borrow() {
                Predictor.Context c = pool.poll();
                return c != null ? c : predictor.newContext();
            }

            void giveBack(Predictor.Context c) {
                pool.offer(c);
            }
        }

        private static final ConcurrentHashMap<Key, Scorer> CACHE = new ConcurrentHashMap<>();

        private Executors() {}

        static Scorer scorer(Key key) {
            return CACHE.computeIfAbsent(key, k -> new Scorer(Predictor.open(Path.of(k.model()), k.samples(), k.seed()),
                    new java.util.concurrent.ConcurrentLinkedQueue<>()));
        }
    }
}
