package io.bnn4j.bayes;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BetaScheduleTest {

    @Test
    void blundellFollowsItsFormulaForSmallM() {
        BetaSchedule b = new BetaSchedule.Blundell();
        assertEquals(1.0, b.weight(1, 1, 1), 1e-15);
        // M = 3: w_i = 3·2^(3−i)/7
        assertEquals(12.0 / 7, b.weight(1, 3, 1), 1e-14);
        assertEquals(6.0 / 7, b.weight(2, 3, 1), 1e-14);
        assertEquals(3.0 / 7, b.weight(3, 3, 1), 1e-14);
    }

    @Test
    void blundellSumsToMWithoutOverflowForLargeM() {
        BetaSchedule b = new BetaSchedule.Blundell();
        for (int m : new int[]{10, 235, 1023, 1024, 1100, 5000}) {
            double sum = 0;
            for (int i = 1; i <= m; i++) {
                double w = b.weight(i, m, 1);
                assertTrue(Double.isFinite(w) && w >= 0, "w_" + i + " of " + m + " = " + w);
                sum += w;
            }
            assertEquals(m, sum, 1e-9 * m, "sum for M=" + m);
            assertEquals(m / 2.0 / (1 - Math.pow(2, -m)), b.weight(1, m, 1), 1e-12 * m, "w_1 = M/2 / (1 − 2^−M)");
            assertTrue(b.weight(m, m, 1) < b.weight(m - 1, m, 1) || b.weight(m, m, 1) == 0);
        }
    }

    @Test
    void otherSchedules() {
        assertEquals(1.0, new BetaSchedule.Standard().weight(5, 10, 3));
        BetaSchedule w = new BetaSchedule.Warmup(4);
        assertEquals(0.25, w.weight(1, 10, 1));
        assertEquals(0.75, w.weight(10, 10, 3));
        assertEquals(1.0, w.weight(1, 10, 4));
        assertEquals(1.0, w.weight(1, 10, 9));
        assertEquals(0.02, new BetaSchedule.Constant(0.02).weight(3, 7, 2));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule.Standard().weight(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule.Standard().weight(11, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule.Warmup(0));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule.Constant(-1));
    }
}
