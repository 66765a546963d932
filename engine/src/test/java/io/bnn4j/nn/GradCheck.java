package io.bnn4j.nn;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.fail;

/** Central finite differences in double precision against float analytic gradients. */
final class GradCheck {

    private GradCheck() {}

    /**
     * Checks analytic[i] ≈ ∂f/∂v[i] by central differences with h = 1e-6·max(1, |v_i|).
     * FD error in double: truncation O(h²·f''') ≈ 1e-12, rounding ≈ 1e-16/h = 1e-10: negligible.
     * The analytic side is float32: each gradient entry is a sum of at most a few hundred
     * products, relative rounding ≲ 1e-5 of the sum of |terms|. Tolerance: 2e-3·|fd| plus
     * 1e-4·max|fd| for entries that are small because their terms cancel. A wrong formula errs
     * by O(1) relative, far above either bound.
     */
    static void check(String what, double[] analytic, double[] v, ToDoubleFunction<double[]> f) {
        if (analytic.length != v.length) throw new IllegalArgumentException(what + ": sizes " + analytic.length + " vs " + v.length);
        double[] num = new double[v.length];
        double max = 0;
        for (int i = 0; i < v.length; i++) {
            double save = v[i], h = 1e-6 * Math.max(1, Math.abs(save));
            v[i] = save + h;
            double fp = f.applyAsDouble(v);
            v[i] = save - h;
            double fm = f.applyAsDouble(v);
            v[i] = save;
            num[i] = (fp - fm) / (2 * h);
            max = Math.max(max, Math.abs(num[i]));
        }
        if (max == 0) fail(what + ": all finite differences are zero; the check would be vacuous");
        int bad = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            double tol = 2e-3 * Math.abs(num[i]) + 1e-4 * max;
            if (!(Math.abs(analytic[i] - num[i]) <= tol)) {
                if (bad++ < 5) sb.append(String.format(" [%d] analytic %.8g fd %.8g;", i, analytic[i], num[i]));
            }
        }
        if (bad > 0) fail(what + ": " + bad + " of " + v.length + " entries differ:" + sb);
    }

    static void assertClose(String what, double[] expected, double[] actual, double rel) {
        double max = 0;
        for (double e : expected) max = Math.max(max, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= rel * (Math.abs(expected[i]) + max))) {
                fail(what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
