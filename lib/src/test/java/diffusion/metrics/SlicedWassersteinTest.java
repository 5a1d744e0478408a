package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class SlicedWassersteinTest extends ManagedTest {

    @Test
    void shiftedStandardGaussiansGiveNormOfShiftOverSqrtDimension() {
        // theta.X ~ N(0, 1), theta.Y ~ N(theta.m, 1): W2^2 = (theta.m)^2 and E_theta (theta.m)^2 = ||m||^2 / d,
        // so SW2 -> ||m|| / sqrt(d) = 2 / 2 = 1. Monte Carlo SE: directions sqrt(Var(4 theta_1^2) / L) = 1/sqrt(500) on SW^2,
        // samples about 0.02 on SW2; tolerance 0.08 (about 3 SE).
        int d = 4;
        double[] zero = new double[d];
        double[] ones = {1, 1, 1, 1};
        double[] shift = {2, 0, 0, 0};
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = GaussianMixture.gaussian(zero, ones).sample(scope, 5000, 1);
            NDArray y = GaussianMixture.gaussian(shift, ones).sample(scope, 5000, 2);
            assertEquals(1, SlicedWasserstein.distance(x, y, 500, 3), 0.08);
        }
    }

    @Test
    void unequalSizesUseExactQuantileMatching() {
        try (NDManager scope = manager.newSubManager()) {
            // In 1D every direction is +-1; F^-1 of {0, 1} against G^-1 of {0, 1/2, 1} differ by 1/2 on [1/3, 2/3): W2^2 = 1/12.
            NDArray x = scope.create(new float[] {1, 0}, new Shape(2, 1));
            NDArray y = scope.create(new float[] {0.5f, 1, 0}, new Shape(3, 1));
            assertEquals(Math.sqrt(1.0 / 12), SlicedWasserstein.distance(x, y, 3, 0), 1e-7);
            // Duplicating every point leaves the empirical law unchanged: distance 0.
            NDArray points = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1}).sample(scope, 101, 4);
            assertEquals(0, SlicedWasserstein.distance(points, points.concat(points), 20, 5), 1e-6);
        }
    }

    @Test
    void isSeededAndSymmetric() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1}).sample(scope, 300, 6);
            NDArray y = GaussianMixture.gaussian(new double[] {1, 0}, new double[] {2, 1}).sample(scope, 200, 7);
            double value = SlicedWasserstein.distance(x, y, 50, 8);
            assertEquals(value, SlicedWasserstein.distance(x, y, 50, 8), 0);
            assertEquals(value, SlicedWasserstein.distance(y, x, 50, 8), 1e-7);
            assertTrue(value != SlicedWasserstein.distance(x, y, 50, 9));
        }
    }

    @Test
    void badInputIsRejected() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.zeros(new Shape(5, 2));
            IllegalArgumentException projections = assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(x, x, 0, 1));
            assertTrue(projections.getMessage().contains("projections = 0"), projections.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SlicedWasserstein.distance(x, scope.zeros(new Shape(5, 3)), 10, 1));
        }
    }
}
