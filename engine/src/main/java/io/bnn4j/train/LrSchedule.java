package io.bnn4j.train;

import io.bnn4j.Labelled;

import java.util.Locale;

/**
 * How the learning rate moves during a run: constant (the default), reduced on a plateau of the
 * validation NLL ({@link Plateau}), or annealed along a half cosine ({@link Cosine}).
 */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.Cosine, Plateau {

    /** The schedules by name, as the command line spells them; {@link #of} makes one for a learning rate. */
    enum Kind implements Labelled {
        CONSTANT, PLATEAU, COSINE;

        @Override
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Constant; plateau: halved after 2 epochs without a better validation NLL, not below lr/100; cosine: annealed to 0. */
        public LrSchedule of(double lr) {
            return switch (this) {
                case CONSTANT -> new Constant();
                case PLATEAU -> new Plateau(0.5, 1, lr / 100);
                case COSINE -> new Cosine(0.0);
            };
        }

        public static Kind of(String label) {
            return Labelled.of(Kind.class, label);
        }
    }

    /** The learning rate never changes. */
    record Constant() implements LrSchedule {}

    /**
     * Cosine annealing per optimizer step (Loshchilov and Hutter 2017, without restarts):
     * lr(t) = lr_end + (lr_0 − lr_end)·(1 + cos(π·t/S))/2 with t the steps taken before this one,
     * S the steps of the whole run (epochs × minibatches) and lr_end = finalFraction·lr_0. A pure
     * function of the step, so a resumed run follows the same curve.
     *
     * @param finalFraction lr_end / lr_0, in [0, 1)
     */
    record Cosine(double finalFraction) implements LrSchedule {
        public Cosine {
            if (!(finalFraction >= 0 && finalFraction < 1)) {
                throw new IllegalArgumentException("cosine final fraction must be in [0, 1), got " + finalFraction);
            }
        }

        /** The learning rate for the step after {@code stepsTaken} of {@code totalSteps}, starting from {@code lr0}. */
        public double lr(double lr0, long stepsTaken, long totalSteps) {
            double progress = totalSteps <= 0 ? 1.0 : Math.min(1.0, (double) stepsTaken / totalSteps);
            double end = finalFraction * lr0;
            return end + (lr0 - end) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }
}
