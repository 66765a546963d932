package io.bnn4j.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {

    @Test
    void allocatesZeroedWithRowMajorStrides() {
        try (Tensor t = Tensor.zeros(2, 3, 4, 5)) {
            assertEquals(120, t.size());
            assertArrayEquals(new long[]{60, 20, 5, 1}, t.strides());
            for (float v : t.toArray()) assertEquals(0f, v);
            t.set(7f, 1, 2, 3, 4);
            assertEquals(7f, t.getFlat(119));
            assertEquals(7f, t.get(1, 2, 3, 4));
        }
    }

    @Test
    void viewsAndSlicesShareMemoryWithoutCopying() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) v[i] = i;
        try (Tensor t = Tensor.of(v, 4, 2, 3)) {
            Tensor rows = t.slice(1, 3);                  // (2, 2, 3) from element 6
            assertArrayEquals(new int[]{2, 2, 3}, rows.shape());
            assertEquals(6, rows.offset());
            assertEquals(6f, rows.get(0, 0, 0));
            assertEquals(17f, rows.get(1, 1, 2));
            Tensor flat = rows.view(12);
            flat.setFlat(0, -1f);                          // writes through to the parent
            assertEquals(-1f, t.get(1, 0, 0));
            Tensor sel = t.select(3);                      // (2, 3)
            assertEquals(18f, sel.get(0, 0));
            assertEquals(23f, sel.get(1, 2));
            Tensor empty = t.slice(4, 4);
            assertEquals(0, empty.size());
        }
    }

    @Test
    void boundsAreCheckedAtTheApi() {
        try (Tensor t = Tensor.zeros(3, 4)) {
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(3, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, -1));
            assertThrows(IllegalArgumentException.class, () -> t.get(0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.getFlat(12));
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 1));
            assertThrows(IllegalArgumentException.class, () -> t.view(5, 2));
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[11]));
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 2, 3, 4, 5));
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(t.segment(), 10, 3));
        }
    }

    @Test
    void closeTwiceAndUseAfterCloseFailClearly() {
        Tensor t = Tensor.zeros(8);
        Tensor view = t.view(2, 4);
        t.close();
        IllegalStateException twice = assertThrows(IllegalStateException.class, t::close);
        assertTrue(twice.getMessage().contains("closed twice"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, () -> view.get(0, 0));
        assertThrows(IllegalStateException.class, view::toArray);
        assertFalse(view.isAlive());
    }

    @Test
    void arenaTensorsAreFreedByTheirArenaNotByClose() {
        Tensor t;
        try (Arena arena = Arena.ofShared()) {
            t = Tensor.allocate(arena, 4, 4);
            t.fill(2f);
            assertEquals(32f, sum(t.toArray()));
            assertThrows(IllegalStateException.class, t::close);
            assertThrows(IllegalStateException.class, () -> t.view(16).close());
        }
        assertFalse(t.isAlive());
        assertThrows(IllegalStateException.class, () -> t.get(0, 0));
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) s += x;
        return s;
    }
}
