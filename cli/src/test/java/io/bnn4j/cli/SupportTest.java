package io.bnn4j.cli;

import io.bnn4j.bayes.BetaSchedule;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** The JSON writer, the table, the progress reporters and the sample locator. */
class SupportTest {

    @Test
    void jsonEscapesAndWritesNonFiniteAsNull() {
        String s = Json.object().put("s", "a\"b\\c\n\t\r\b\f\u0001\u007f\u2028 é 猫 🐈").put("lone", "x\ud800y")
                .put("n", 3L).put("d", 0.1).put("nan", Double.NaN).put("inf", Double.NEGATIVE_INFINITY)
                .put("neg0", -0.0).put("tiny", 1e-300).put("arr", new double[]{1, Double.NaN}).put("nul", (String) null)
                .put("b", true).putStrings("l", List.of("x", "\"")).put("o", Json.object().put("k", 1L)).toString();
        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u007f\\u2028 é 猫 🐈\",\"lone\":\"x\\ud800y\",\"n\":3,"
                + "\"d\":0.1,\"nan\":null,\"inf\":null,\"neg0\":-0.0,\"tiny\":1.0E-300,\"arr\":[1.0,null],\"nul\":null,"
                + "\"b\":true,\"l\":[\"x\",\"\\\"\"],\"o\":{\"k\":1}}", s);
        assertEquals("{}", Json.object().toString());
    }

    @Test
    void tableAlignsNumbersRight() {
        Table t = new Table("NAME", "N", "NOTE").row("a", "1", "x").row("longer", "1,000", "-");
        assertEquals(List.of("NAME        N  NOTE", "a           1  x", "longer  1,000  -"), t.lines());
    }

    @Test
    void plainProgressPrintsTenthsAndBarRedrawsInPlace() {
        StringWriter sw = new StringWriter();
        StderrProgress p = new StderrProgress.Lines(new PrintWriter(sw));
        p.start("epoch 1/2", 20);
        for (int i = 0; i < 20; i++) p.advance(1);
        p.done();
        List<String> lines = sw.toString().lines().toList();
        assertEquals(10, lines.size(), sw.toString());
        assertEquals("epoch 1/2: 10% (2/20)", lines.getFirst());
        assertEquals("epoch 1/2: done (20/20)", lines.getLast());
        assertFalse(sw.toString().contains("\r"));

        StringWriter bw = new StringWriter();
        AtomicLong clock = new AtomicLong();
        StderrProgress bar = new StderrProgress.Bar(new PrintWriter(bw), clock::get);
        bar.start("train", 4);
        for (int i = 0; i < 4; i++) {
            clock.addAndGet(1_000_000_000L);
            bar.advance(1);
        }
        bar.done();
        String b = bw.toString();
        assertTrue(b.startsWith("\rtrain ["), b);
        assertTrue(b.contains(" 50% 2/4 eta 0:02 1.0/s"), b);
        assertTrue(b.contains("100% 4/4"), b);
        assertTrue(b.endsWith(System.lineSeparator()), b);
    }

    @Test
    void sampleCandidatesStartAtTheWorkingDirectoryThenClimbFromTheJar() {
        List<Path> c = DataLocator.candidates(Path.of("/w"), Path.of("/repo/cli/target"));
        assertEquals(List.of(Path.of("/w/testdata/fashion-mnist"), Path.of("/repo/cli/target/testdata/fashion-mnist"), Path.of("/repo/cli/testdata/fashion-mnist"),
                Path.of("/repo/testdata/fashion-mnist"), Path.of("/testdata/fashion-mnist")), c);
        assertEquals(1, DataLocator.candidates(Path.of("/w"), null).size());
    }

    @Test
    void betaAcceptsTheDesignSpellings() {
        assertEquals(new BetaSchedule.Standard(), BetaSchedule.parse("standard", 10));
        assertEquals(new BetaSchedule.Blundell(), BetaSchedule.parse("blundell", 10));
        assertEquals(new BetaSchedule.Warmup(5), BetaSchedule.parse("warmup", 10), "warm-up over half the epochs");
        assertEquals(new BetaSchedule.Warmup(1), BetaSchedule.parse("warmup", 1), "at least one");
        assertEquals(new BetaSchedule.Warmup(5), BetaSchedule.parse("warmup:5", 10));
        assertEquals(new BetaSchedule.Constant(0.01), BetaSchedule.parse("0.01", 10));
        assertEquals(new BetaSchedule.Constant(0), BetaSchedule.parse("0", 10));
        assertEquals(new BetaSchedule.Constant(1e-3), BetaSchedule.parse("1e-3", 10));
        Choices.BetaConverter c = new Choices.BetaConverter();
        assertEquals("warmup:3", c.convert("warmup:3"));
        for (String bad : List.of("nonsense", "-1", "NaN", "Infinity", "warmup:", "warmup:-2", "1d", "0x1p3", "+1", "")) {
            assertThrows(picocli.CommandLine.TypeConversionException.class, () -> c.convert(bad), bad);
        }
    }
}
