package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MeteredTargetTest {

    /** A standard normal whose gradient is NaN wherever x_1 &gt; 1. */
    static final Target BROKEN = new Target() {
        public int dim() {
            return 2;
        }

        public String name() {
            return "broken";
        }

        public NDArray logDensity(NDArray x) {
            return x.square().sum(new int[] {1}).mul(-0.5);
        }

        public NDArray gradLogDensity(NDArray x) {
            NDArray inside = x.get(":, 0:1").lte(1).toType(x.getDataType(), false);
            return x.neg().mul(inside).div(inside); // 0 / 0 = NaN where x_1 > 1
        }
    };

    @Test
    void countsOneEvaluationPerRow() {
        MeteredTarget metered = new MeteredTarget(new Banana(2, 1, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            metered.logDensity(m.zeros(new Shape(7, 2)));
            metered.gradLogDensity(m.zeros(new Shape(5, 2)));
            metered.gradLogDensity(m.zeros(new Shape(3, 2)));
        }
        assertEquals(7, metered.densityEvaluations());
        assertEquals(8, metered.gradientEvaluations());
    }

    @Test
    void aNanGradientAtAFinitePointIsAClearError() {
        MeteredTarget metered = new MeteredTarget(BROKEN);
        try (NDManager m = NDManager.newBaseManager()) {
            metered.gradLogDensity(m.zeros(new Shape(3, 2)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> metered.gradLogDensity(m.create(new float[] {0, 0, 2, 0}, new Shape(2, 2))));
            assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("gradient")
                    && e.getMessage().contains("[2.0, 0.0]"), e.getMessage());
        }
    }

    @Test
    void dimensionMismatchIsRejected() {
        MeteredTarget metered = new MeteredTarget(new Banana(2, 1, 1));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> metered.logDensity(m.zeros(new Shape(3, 4))));
            assertTrue(e.getMessage().contains("(3, 4)"), e.getMessage());
        }
    }
}
