/**
 * bnn4j's engine: Bayesian CNNs on CPUs. Exports the library's API packages; the kernels'
 * Vector API backend ({@code io.bnn4j.kernel.simd}) and the random-number internals stay
 * inside.
 */
module io.bnn4j.engine {
    requires jdk.incubator.vector;
    requires java.desktop;                      // ImageIO for PNG/JPEG, Java2D for the plots
    requires org.apache.commons.compress;       // CIFAR .tar.gz archives

    exports io.bnn4j;
    exports io.bnn4j.bayes;
    exports io.bnn4j.data;
    exports io.bnn4j.io;
    exports io.bnn4j.job;
    exports io.bnn4j.kernel;
    exports io.bnn4j.nn;
    exports io.bnn4j.parallel;
    exports io.bnn4j.prune;
    exports io.bnn4j.tensor;
    exports io.bnn4j.train;
    exports io.bnn4j.uncertainty;
    exports io.bnn4j.uncertainty.plot;
}
