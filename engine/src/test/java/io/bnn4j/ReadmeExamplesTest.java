package io.bnn4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's Java examples, compiled as written (their own imports, nothing added) and run:
 * the training example first (on the bundled sample instead of the full dataset, 1 epoch),
 * then the prediction example on the model it wrote. Relative paths in the examples resolve
 * in a temporary folder.
 */
class ReadmeExamplesTest {

    @TempDir
    Path dir;

    static Path repoFile(String name) {
        return TestFiles.repoFile(name);
    }

    /** The ```java blocks of the README, in order. */
    static List<String> javaBlocks(String readme) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /** A class whose static run() is the block's statements, with its imports kept as they are. */
    static String asClass(String name, String block) {
        StringBuilder imports = new StringBuilder(), body = new StringBuilder();
        for (String line : block.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String b = body.toString().replaceAll("Path\\.of\\(\"(?!/)", "BASE.resolve(\"");
        return "package readme;\n" + imports + "public class " + name + " {\n  public static java.nio.file.Path BASE;\n"
                + "  public static void run() throws Exception {\n" + b + "  }\n}\n";
    }

    @Test
    void theReadmeExamplesCompileAndRun() throws Exception {
        List<String> blocks = javaBlocks(Files.readString(repoFile("README.md")));
        assertEquals(2, blocks.size(), "the README's Java examples: prediction, then training");
        String predict = blocks.get(0), train = blocks.get(1);
        long imports = predict.lines().filter(l -> l.startsWith("import ")).count();
        assertTrue(imports <= 3, "the prediction example needs at most three imports, has " + imports);
        Path sample = repoFile("testdata/fashion-mnist");
        train = train.replace("/usr/share/datasets/fashion-mnist", sample.toString())
                .replace("job.config().withSeed(1)", "job.config().withEpochs(1).withSeed(1)");
        assertTrue(train.contains(sample.toString()) && train.contains("withEpochs(1)"), "the substitutions found their text");

        Path src = Files.createDirectories(dir.resolve("src/readme")), classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(src.resolve("Train.java"), asClass("Train", train));
        Files.writeString(src.resolve("Predict.java"), asClass("Predict", predict));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> options = new ArrayList<>(List.of("-proc:none", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString()));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            // the engine as a module (its module-info): the examples see only its exported packages
            options.addAll(List.of("--module-path", modulePath, "--add-modules", "io.bnn4j.engine,jdk.incubator.vector"));
        } else {
            options.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        options.add(src.resolve("Train.java").toString());
        options.add(src.resolve("Predict.java").toString());
        int rc = javac.run(null, diagnostics, diagnostics, options.toArray(String[]::new));
        assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));

        Path work = Files.createDirectories(dir.resolve("work"));
        BufferedImage shirt = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 4; y < 24; y++) for (int x = 6; x < 22; x++) shirt.getRaster().setSample(x, y, 0, 200);
        assertTrue(ImageIO.write(shirt, "png", work.resolve("shirt.png").toFile()));
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            for (String name : List.of("readme.Train", "readme.Predict")) {
                Class<?> c = loader.loadClass(name);
                c.getField("BASE").set(null, work);
                c.getMethod("run").invoke(null);
            }
        } finally {
            System.setOut(stdout);
        }
        assertTrue(Files.exists(work.resolve("model.bnn")), "the training example wrote model.bnn");
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.lines().anyMatch(l -> l.matches("test accuracy 0\\.\\d+, temperature \\d\\.\\d+")), "the training example's summary: " + out);
        String last = out.lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("\\S.* \\d+\\.\\d%, entropy \\d\\.\\d{3} = aleatoric \\d\\.\\d{3} \\+ epistemic \\d\\.\\d{3}"), last);
    }
}
