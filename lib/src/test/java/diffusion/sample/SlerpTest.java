package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import org.junit.jupiter.api.Test;

class SlerpTest extends ManagedTest {

    /** slerp keeps the endpoints, and between orthogonal unit vectors it stays on the unit circle (to float precision). */
    @Test
    void slerpInterpolatesOnTheSphere() {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.create(new float[][] {{1, 0}, {2, 0}});
            NDArray b = m.create(new float[][] {{0, 1}, {4, 0}});
            assertArrayEquals(a.toFloatArray(), Slerp.interpolate(a, b, 0).toFloatArray(), 1e-6f);
            assertArrayEquals(b.toFloatArray(), Slerp.interpolate(a, b, 1).toFloatArray(), 1e-6f);
            NDArray half = Slerp.interpolate(a, b, 0.5);
            float r = (float) Math.sqrt(0.5);
            assertArrayEquals(new float[] {r, r, 3, 0}, half.toFloatArray(), 1e-6f, "orthogonal: on the circle; parallel: the straight line");
        }
    }

    @Test
    void mismatchedShapesAndWeightsOutsideTheUnitIntervalAreRejected() {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.create(new float[][] {{1, 0}});
            assertThrows(IllegalArgumentException.class, () -> Slerp.interpolate(a, m.create(new float[][] {{1, 0, 0}}), 0.5));
            assertThrows(IllegalArgumentException.class, () -> Slerp.interpolate(a, a, 1.5));
        }
    }
}
