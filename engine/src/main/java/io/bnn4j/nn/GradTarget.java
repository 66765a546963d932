package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/**
 * Where one block of examples writes its parameter gradients: a partial buffer of the flat
 * parameter layout, part A (∂L/∂μ, P floats) at {@code aBase} and part S at {@code sBase}
 * (∂L/∂σ² for LRT, ∂L/∂σ for BBB; unused for NONE). With {@code accumulate} the gradients are
 * added to what is there (the Monte-Carlo samples after the first), else they overwrite it.
 * {@code temp} is scratch of at least the largest weight tensor.
 */
final class GradTarget {
    final MemorySegment partial;
    final long aBase, sBase;
    final MemorySegment temp;
    final long tempOff;
    boolean accumulate;

    GradTarget(MemorySegment partial, long aBase, long sBase, MemorySegment temp, long tempOff) {
        this.partial = partial;
        this.aBase = aBase;
        this.sBase = sBase;
        this.temp = temp;
        this.tempOff = tempOff;
    }
}
