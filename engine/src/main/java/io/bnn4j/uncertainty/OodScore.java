package io.bnn4j.uncertainty;

/** An out-of-distribution score: higher means more likely out of distribution. */
public enum OodScore {
    /** Predictive entropy H[p̄] (total uncertainty). */
    ENTROPY("entropy"),
    /** Mutual information H[p̄] − E_t H[p̂_t] (epistemic uncertainty). */
    MUTUAL_INFORMATION("mutual_information"),
    /** 1 − max_c p̄_c (JSON suffix {@code confidence}, as in {@code auroc_confidence}). */
    ONE_MINUS_CONFIDENCE("confidence");

    private final String jsonSuffix;

    OodScore(String jsonSuffix) {
        this.jsonSuffix = jsonSuffix;
    }

    /** The suffix of the JSON field names: {@code auroc_} + suffix, {@code aupr_} + suffix. */
    public String jsonSuffix() { return jsonSuffix; }
}
