package io.bnn4j.prune;

import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;
import io.bnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unstructured pruning (docs/PRUNING.md): ranks single weights and masks the lowest ones, so they
 * become exactly zero (μ = 0, σ = 0) and stay zero in fine-tuning.
 *
 * <ul>
 *   <li>Scores: {@link PruneMethod#SNR} |μ|/σ with σ = softplus(ρ) computed in double from ρ
 *       (Bayesian models only); {@link PruneMethod#MAGNITUDE} |μ|. A score that is NaN (μ = 0 with
 *       σ underflowed to 0) counts as 0.</li>
 *   <li>What is pruned: the weights of every conv and dense layer, the classifier included;
 *       <b>biases are never pruned</b> (common practice: they are 0.4% of LeNet-5's means and
 *       each feeds a whole channel). "Sparsity" is the fraction of those weights removed, so its
 *       denominator is {@link Masks#weightCount} (61,470 for LeNet-5 with 10 classes; its 236
 *       biases are not counted).</li>
 *   <li>How many: {@code round(sparsity · n)} of the n weights in scope ({@link PruneScope#GLOBAL}:
 *       one ranking over the network; {@link PruneScope#PER_LAYER}: each weight tensor separately).</li>
 *   <li>Ties: weights are ordered by (score, flat index) — a total order, so equal scores go
 *       lowest index first and the result never depends on sorting details.</li>
 *   <li>An already pruned model: weights masked before rank lowest of all and stay removed;
 *       pruning never restores a weight, so the result has max(target, previous) removed in each
 *       scope.</li>
 *   <li>Sparsity 0 (with no previous mask) changes nothing: no mask is created.</li>
 * </ul>
 * Removed elements get canonical +0.0 in μ and ρ ({@link Masks#canonicalize}).
 */
public final class WeightPruner {

    private WeightPruner() {}

    /**
     * Masks the lowest-ranked weights of {@code model} in place.
     *
     * @param sparsity fraction of weights to remove, in [0, 1]
     * @return the weights in scope, and the removed count and fraction after pruning
     */
    public static Summary prune(Model model, PruneMethod method, double sparsity, PruneScope scope) {
        if (!method.unstructured()) throw new IllegalArgumentException(method.label() + " is structured: use FilterPruner");
        if (!(sparsity >= 0 && sparsity <= 1)) throw new IllegalArgumentException("sparsity must be in [0, 1], got " + sparsity);
        if (method == PruneMethod.SNR && !model.bayesian()) {
            throw new IllegalArgumentException("snr pruning needs a Bayesian model (lrt or bbb); this one has no σ: use magnitude");
        }
        List<Parameter> weights = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!p.isBias()) weights.add(p);
        // removed[k][i]: whether element i of weight tensor k goes
        boolean[][] removed = new boolean[weights.size()][];
        for (int k = 0; k < weights.size(); k++) removed[k] = new boolean[weights.get(k).size()];
        if (scope == PruneScope.GLOBAL) {
            select(weights, 0, weights.size(), method, sparsity, removed);
        } else {
            for (int k = 0; k < weights.size(); k++) select(weights, k, k + 1, method, sparsity, removed);
        }
        for (int k = 0; k < weights.size(); k++) {
            Parameter p = weights.get(k);
            boolean anyRemoved = false;
            float[] mask = new float[p.size()];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = removed[k][i] ? 0f : 1f;
                anyRemoved |= removed[k][i];
            }
            if (anyRemoved || p.mask() != null) p.setMask(mask);
        }
        Masks.canonicalize(model);
        return new Summary(Masks.weightCount(model), Masks.removedWeights(model));
    }

    /** The weights in scope and how many are removed. */
    public record Summary(long weights, long removed) {
        /** removed / weights. */
        public double sparsity() {
            return weights == 0 ? 0 : (double) removed / weights;
        }
    }

    /** Marks the round(sparsity·n) lowest of weight tensors [from, to) (and every one masked before). */
    private static void select(List<Parameter> weights, int from, int to, PruneMethod method, double sparsity, boolean[][] removed) {
        long n = 0;
        for (int k = from; k < to; k++) n += weights.get(k).size();
        if (n == 0) return;
        // key = (rank << 32) | position in this scope: rank 0 for masked weights, else the score's
        // float bits + 1 (non-negative floats order like their bits); sorting the keys sorts by
        // (score, index), a total order.
        long[] keys = new long[Math.toIntExact(n)];
        int[] start = new int[to - from + 1];
        int pos = 0;
        for (int k = from; k < to; k++) {
            start[k - from] = pos;
            Parameter p = weights.get(k);
            float[] scores = scores(p, method);
            float[] mask = p.mask() == null ? null : p.mask().toArray();
            for (int i = 0; i < scores.length; i++, pos++) {
                long rank = mask != null && mask[i] == 0f ? 0 : Float.floatToIntBits(scores[i]) + 1L;
                keys[pos] = rank << 32 | pos;
            }
        }
        start[to - from] = pos;
        Arrays.sort(keys);
        long target = Math.round(sparsity * n);
        for (int j = 0; j < keys.length; j++) {
            boolean wasMasked = keys[j] >>> 32 == 0;
            if (j >= target && !wasMasked) break;
            int flat = (int) keys[j];
            int k = from;
            while (start[k - from + 1] <= flat) k++;
            removed[k][flat - start[k - from]] = true;
        }
    }

    /**
     * The ranking score of each element of {@code p}: |μ|/softplus(ρ) for SNR, |μ| for
     * MAGNITUDE; never negative, NaN mapped to 0.
     */
    public static float[] scores(Parameter p, PruneMethod method) {
        float[] mu = p.mu().toArray();
        float[] s = new float[mu.length];
        Tensor rhoT = p.rho();
        float[] rho = method == PruneMethod.SNR ? rhoT.toArray() : null;
        for (int i = 0; i < mu.length; i++) {
            double v = Math.abs((double) mu[i]);
            if (rho != null) v /= softplus(rho[i]);
            s[i] = Double.isNaN(v) ? 0f : (float) v;
        }
        return s;
    }

    /** softplus(ρ) = log1p(exp(ρ)), stably (docs/TRAINING.md). */
    static double softplus(double rho) {
        return rho > 20 ? rho : rho < -20 ? Math.exp(rho) : Math.log1p(Math.exp(rho));
    }
}
