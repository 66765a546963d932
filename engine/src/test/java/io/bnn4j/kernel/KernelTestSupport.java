package io.bnn4j.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Shared helpers for kernel tests: segments in a shared arena (parallel kernels write from workers). */
final class KernelTestSupport {

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    /** Unit roundoff of float32. */
    static final double U = Math.ulp(1.0f) / 2;

    private KernelTestSupport() {}

    static MemorySegment floats(Arena arena, long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    static MemorySegment random(Arena arena, long n, SplittableRandom rnd) {
        MemorySegment s = floats(arena, n);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        return s;
    }

    static MemorySegment copy(Arena arena, MemorySegment src) {
        MemorySegment s = arena.allocate(src.byteSize(), 64);
        s.copyFrom(src);
        return s;
    }

    static MemorySegment filled(Arena arena, long n, float v) {
        MemorySegment s = floats(arena, n);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, v);
        return s;
    }

    static boolean sameBits(MemorySegment a, MemorySegment b) {
        return a.mismatch(b) == -1;
    }
}
