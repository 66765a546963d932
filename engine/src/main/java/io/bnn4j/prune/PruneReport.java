package io.bnn4j.prune;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What `bnn prune` reports: the model before and after (docs/PRUNING.md and docs/CLI.md).
 *
 * @param method           "snr", "magnitude" or "l1-filter"
 * @param sparsity         the requested sparsity (snr/magnitude: fraction of weights; l1-filter:
 *                         fraction of units per hidden layer)
 * @param scope            GLOBAL or PER_LAYER for unstructured methods, null for l1-filter
 * @param weightSparsity   achieved: 1 − (nonzero-capable weights after / weights before), biases
 *                         excluded; for l1-filter the weights that the smaller model no longer has
 * @param fineTuneEpochs   epochs of fine-tuning after pruning
 * @param widthsBefore     hidden widths before (conv channels, dense features)
 * @param widthsAfter      hidden widths after (smaller only for l1-filter)
 * @param before           the original model's figures
 * @param after            the pruned (and fine-tuned) model's figures
 */
public record PruneReport(String method, double sparsity, PruneScope scope, double weightSparsity, int fineTuneEpochs,
                          int[] widthsBefore, int[] widthsAfter, Measurement before, Measurement after) {

    public PruneReport {
        widthsBefore = widthsBefore.clone();
        widthsAfter = widthsAfter.clone();
    }

    @Override public int[] widthsBefore() { return widthsBefore.clone(); }

    @Override public int[] widthsAfter() { return widthsAfter.clone(); }

    public long parametersBefore() { return before.parameters(); }

    public long parametersAfter() { return after.parameters(); }

    public double accuracyBefore() { return before.accuracy(); }

    public double accuracyAfter() { return after.accuracy(); }

    public double eceBefore() { return before.ece(); }

    public double eceAfter() { return after.ece(); }

    public double latencyMsBefore() { return before.latencyMs(); }

    public double latencyMsAfter() { return after.latencyMs(); }

    /** The JSON fields of docs/CLI.md (prune), in order, under their contract names. */
    public Map<String, Object> designFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("sparsity", sparsity);
        m.put("parameters_before", parametersBefore());
        m.put("parameters_after", parametersAfter());
        m.put("accuracy_before", accuracyBefore());
        m.put("accuracy_after", accuracyAfter());
        m.put("ece_before", eceBefore());
        m.put("ece_after", eceAfter());
        m.put("latency_ms_before", latencyMsBefore());
        m.put("latency_ms_after", latencyMsAfter());
        return m;
    }

    @Override
    public String toString() {
        return "PruneReport[" + method + " " + sparsity + (scope == null ? "" : " " + scope) + ", weights removed " + weightSparsity
                + ", fine-tune " + fineTuneEpochs + ", widths " + Arrays.toString(widthsBefore) + " -> " + Arrays.toString(widthsAfter)
                + ", before " + before + ", after " + after + "]";
    }
}
