package io.bnn4j.uncertainty;

/**
 * How well each score separates in- from out-of-distribution inputs ({@link OodMetrics}):
 * AUROC and AUPR with OOD as the positive class and a higher score meaning more likely OOD.
 *
 * @param inN  the number of in-distribution inputs
 * @param oodN the number of out-of-distribution inputs (JSON {@code ood_n})
 */
public record OodResult(int inN, int oodN,
                        double aurocEntropy, double aurocMutualInformation, double aurocConfidence,
                        double auprEntropy, double auprMutualInformation, double auprConfidence) {

    /** AUROC of one score ({@link OodScore#ONE_MINUS_CONFIDENCE} gives {@link #aurocConfidence}). */
    public double auroc(OodScore score) {
        return switch (score) {
            case ENTROPY -> aurocEntropy;
            case MUTUAL_INFORMATION -> aurocMutualInformation;
            case ONE_MINUS_CONFIDENCE -> aurocConfidence;
        };
    }

    /** AUPR (average precision, OOD positive) of one score. */
    public double aupr(OodScore score) {
        return switch (score) {
            case ENTROPY -> auprEntropy;
            case MUTUAL_INFORMATION -> auprMutualInformation;
            case ONE_MINUS_CONFIDENCE -> auprConfidence;
        };
    }
}
