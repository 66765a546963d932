package io.bnn4j.uncertainty;

/**
 * One confidence bin of a reliability diagram: the examples whose confidence max_c p̄_c lies in
 * (lower, upper] (bin 0 also holds confidence exactly 0).
 *
 * @param lower          the bin's lower edge, excluded (except 0 for bin 0)
 * @param upper          the bin's upper edge, included
 * @param count          how many examples fell in the bin
 * @param accuracy       the fraction of them predicted correctly; NaN when count is 0
 * @param meanConfidence their mean confidence; NaN when count is 0
 */
public record ReliabilityBin(double lower, double upper, long count, double accuracy, double meanConfidence) {

    /** |accuracy − meanConfidence|, 0 for an empty bin. */
    public double gap() {
        return count == 0 ? 0.0 : Math.abs(accuracy - meanConfidence);
    }
}
