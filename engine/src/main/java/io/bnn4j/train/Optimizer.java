package io.bnn4j.train;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Applies one update to every μ and ρ of a model from its gradient tensors, over fixed
 * partitions of the flat parameter space (elementwise, so any thread count gives the same
 * bits), then refreshes the model's derived values (σ, sigmoid ρ, σ², masks).
 * The moments live in the model ({@code optimizerFirstMoment}, {@code optimizerSecondMoment}).
 */
final class Optimizer {

    private final OptimizerSpec spec;
    private final Model model;
    private final Parallel par;
    private final Kernels k = Kernels.instance();
    private final MemorySegment mu, gMu, rho, gRho, m, v;
    private final long muOff, gMuOff, rhoOff, gRhoOff, mOff, vOff, p;
    private final Parallel.RangeBody body = this::partition;
    // the step in flight
    private float lr, c1, c2;

    Optimizer(OptimizerSpec spec, Model model, Parallel par) {
        this.spec = spec;
        this.model = model;
        this.par = par;
        this.p = model.meanCount();
        Tensor tMu = model.allMu(), tG = model.allGradMu(), tM = model.optimizerFirstMoment(), tV = model.optimizerSecondMoment();
        mu = tMu.segment(); muOff = tMu.offset();
        gMu = tG.segment(); gMuOff = tG.offset();
        m = tM.segment(); mOff = tM.offset();
        v = tV.segment(); vOff = tV.offset();
        if (model.bayesian()) {
            Tensor tR = model.allRho(), tGR = model.allGradRho();
            rho = tR.segment(); rhoOff = tR.offset();
            gRho = tGR.segment(); gRhoOff = tGR.offset();
        } else {
            rho = gRho = null;
            rhoOff = gRhoOff = 0;
        }
    }

    /** Update number {@code t} (1-based: Adam's bias correction) with learning rate {@code lr}. */
    void step(double lr, long t) {
        this.lr = (float) lr;
        if (spec instanceof OptimizerSpec.Adam a) {
            c1 = (float) (1 - Math.pow(a.beta1(), t));
            c2 = (float) (1 - Math.pow(a.beta2(), t));
        }
        model.forPartitions(par, body);
    }

    private void partition(int index, int a, int b) {
        int len = b - a;
        switch (spec) {
            case OptimizerSpec.Adam ad -> {
                float b1 = (float) ad.beta1(), b2 = (float) ad.beta2(), eps = (float) ad.eps();
                k.adamStep(len, mu, muOff + a, gMu, gMuOff + a, m, mOff + a, v, vOff + a, lr, b1, b2, eps, c1, c2);
                if (rho != null) {
                    k.adamStep(len, rho, rhoOff + a, gRho, gRhoOff + a, m, mOff + p + a, v, vOff + p + a, lr, b1, b2, eps, c1, c2);
                }
            }
            case OptimizerSpec.Sgd s -> {
                sgd(len, mu, muOff + a, gMu, gMuOff + a, mOff + a, (float) s.momentum());
                if (rho != null) sgd(len, rho, rhoOff + a, gRho, gRhoOff + a, mOff + p + a, (float) s.momentum());
            }
        }
        model.refreshDerived(a, b);
    }

    // velocity = momentum·velocity + g; p −= lr·velocity
    private void sgd(int len, MemorySegment param, long pOff, MemorySegment g, long gOff, long velOff, float momentum) {
        k.scale(len, momentum, m, velOff);
        k.axpy(len, 1f, g, gOff, m, velOff);
        k.axpy(len, -lr, m, velOff, param, pOff);
    }
}
