package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class TrainConfigTest {

    /** Every wither changes its own component to the given value and leaves the others alone. */
    @Test
    void eachWitherSetsOnlyItsComponent() throws Exception {
        TrainConfig base = TrainConfig.defaults();
        record Case(String component, Object value, UnaryOperator<TrainConfig> with) {}
        Case[] cases = {
                new Case("epochs", 7, c -> c.withEpochs(7)),
                new Case("batchSize", 33, c -> c.withBatchSize(33)),
                new Case("lr", 0.02, c -> c.withLr(0.02)),
                new Case("trainSamples", 3, c -> c.withTrainSamples(3)),
                new Case("beta", new BetaSchedule.Blundell(), c -> c.withBeta(new BetaSchedule.Blundell())),
                new Case("kl", KlKind.REVERSE, c -> c.withKl(KlKind.REVERSE)),
                new Case("validFraction", 0.25, c -> c.withValidFraction(0.25)),
                new Case("seed", 99L, c -> c.withSeed(99)),
                new Case("threads", 5, c -> c.withThreads(5)),
                new Case("optimizer", new OptimizerSpec.Sgd(0.9), c -> c.withOptimizer(new OptimizerSpec.Sgd(0.9))),
                new Case("lrSchedule", new Plateau(0.5, 2, 1e-5), c -> c.withLrSchedule(new Plateau(0.5, 2, 1e-5))),
                new Case("validSamples", 4, c -> c.withValidSamples(4)),
                new Case("gradientChunks", 3, c -> c.withGradientChunks(3)),
                new Case("init", new Init.Random(), c -> c.withInit(new Init.Random()))};
        assertEquals(TrainConfig.class.getRecordComponents().length, cases.length, "one wither per component");
        for (Case k : cases) {
            TrainConfig changed = k.with.apply(base);
            for (RecordComponent rc : TrainConfig.class.getRecordComponents()) {
                Object was = rc.getAccessor().invoke(base), now = rc.getAccessor().invoke(changed);
                if (rc.getName().equals(k.component)) {
                    assertEquals(k.value, now, k.component);
                    assertNotEquals(was, now, k.component + ": the test value differs from the default");
                } else {
                    assertEquals(was, now, k.component + " changed " + rc.getName());
                }
            }
        }
    }
}
