package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What the vector kernels share: the species, lane count, block sizes of float-accumulated sums,
 * unaligned native-order loads and stores of MemorySegments, and an exact, fixed-order widening
 * sum of a vector's lanes.
 */
final class SimdLanes {

    static final VectorSpecies<Float> S = SimdKernels.SPECIES;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    /**
     * Floats per block of a float-accumulated sum before the partial sums go to double. With
     * {@code ACCUMULATORS} vectors of L lanes, each lane adds BLOCK / (ACCUMULATORS·L) terms in
     * float (16 at L = 8), so a block's rounding error is at most γ₁₆·Σ|x| ≈ 16·2⁻²⁴·Σ|x|
     * (Higham, recursive summation); the double part adds (len / BLOCK)·2⁻⁵³ on top.
     */
    static final int ACCUMULATORS = 4;
    static final int BLOCK = 16 * ACCUMULATORS * L;

    private SimdLanes() {}

    // ------------------------------------------------------------------ memory access

    static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER);
    }

    static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, ORDER, m);
    }

    static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER);
    }

    static void store(FloatVector v, MemorySegment s, long index, VectorMask<Float> m) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER, m);
    }

    static float get(MemorySegment s, long index) {
        return s.getAtIndex(F, index);
    }

    static void set(MemorySegment s, long index, float v) {
        s.setAtIndex(F, index, v);
    }

    static final ThreadLocal<double[]> DOUBLE_LANES = ThreadLocal.withInitial(() -> new double[DS.length()]);

    /** The float lanes of v, widened exactly to double and summed in double. */
    static double widenedSum(FloatVector v) {
        DoubleVector lo = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
        DoubleVector hi = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1);
        DoubleVector d = lo.add(hi);
        // Lane by lane in a fixed order: reduceLanes(ADD) lets C2 pick the order, so its last
        // bits could differ between the interpreter and compiled code (a run would then not
        // reproduce). Plain double additions are the same in every tier.
        // Through a per-thread array: lane(i) with a variable index allocates.
        double[] lanes = DOUBLE_LANES.get();
        d.intoArray(lanes, 0);
        double total = 0;
        for (int i = 0; i < d.length(); i++) total += lanes[i];
        return total;
    }

    /** a·b + c rounded once. */
    static FloatVector mad(FloatVector a, FloatVector b, FloatVector c) {
        return a.fma(b, c);
    }

    static FloatVector constant(float c) {
        return FloatVector.broadcast(S, c);
    }
}
