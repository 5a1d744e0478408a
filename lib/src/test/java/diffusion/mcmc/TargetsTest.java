package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class TargetsTest {

    /** The banana's gradient is the central finite difference of its log-density (float64, h = 1e-5). */
    @Test
    void bananaGradientIsTheDerivativeOfItsLogDensity() {
        Banana banana = new Banana(3, 1.2, 0.7);
        double h = 1e-5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = banana.sample(m, 50, 1).toType(DataType.FLOAT64, false);
            NDArray gradient = banana.gradLogDensity(x);
            for (int j = 0; j < 3; j++) {
                double[] step = new double[3];
                step[j] = h;
                NDArray e = m.create(step);
                NDArray difference = banana.logDensity(x.add(e)).sub(banana.logDensity(x.sub(e))).div(2 * h);
                double error = difference.sub(gradient.get(":, " + j)).abs().max().getDouble();
                assertTrue(error < 1e-6, "coordinate " + j + ": |gradient - finite difference| = " + error);
            }
        }
    }

    /**
     * Exact samples and gradient agree through Stein's identities E[grad log p*(x)] = 0 and
     * E[x grad log p*(x)^T] = -I (integration by parts), each within 5 Monte Carlo standard errors.
     */
    @Test
    void bananaSamplesSatisfySteinsIdentities() {
        Banana banana = new Banana(3, 1.0, 0.5);
        int n = 100_000;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = banana.sample(m, n, 2).toType(DataType.FLOAT64, false);
            NDArray g = banana.gradLogDensity(x);
            for (int j = 0; j < 3; j++) {
                assertWithinFiveErrors(g.get(":, " + j), 0, "E[d_" + j + " log p]");
                for (int k = 0; k < 3; k++) {
                    assertWithinFiveErrors(x.get(":, " + k).mul(g.get(":, " + j)), k == j ? -1 : 0, "E[x_" + k + " d_" + j + " log p]");
                }
            }
        }
    }

    /** The banana's log-density is normalised: its 2D integral over a wide grid (midpoint rule) is 1 to 1e-4. */
    @Test
    void bananaDensityIsNormalised() {
        Banana banana = new Banana(2, 1.0, 0.5);
        int cells = 800;
        double low = -8;
        double high = 16;
        double width = (high - low) / cells;
        double[] grid = new double[cells * cells * 2];
        for (int i = 0; i < cells; i++) {
            for (int j = 0; j < cells; j++) {
                grid[2 * (i * cells + j)] = low + (i + 0.5) * width;
                grid[2 * (i * cells + j) + 1] = low + (j + 0.5) * width;
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            double mass = banana.logDensity(m.create(grid, new Shape(cells * cells, 2))).exp().sum().getDouble() * width * width;
            assertEquals(1.0, mass, 1e-4);
        }
    }

    @Test
    void axisMixturePlacesModesOnTheAxesWithTheGivenWeights() {
        MixtureTarget target = MixtureTarget.axes(3, 4.0, 0.5, 1, 1, 2, 4);
        double[][] expected = {{4, 0, 0}, {0, 4, 0}, {0, 0, 4}, {-4, 0, 0}};
        for (int k = 0; k < 4; k++) {
            assertArrayEquals(expected[k], target.modes()[k]);
        }
        assertArrayEquals(new double[] {0.125, 0.125, 0.25, 0.5}, target.modeWeights(), 1e-15);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(10, 3)).mul(3);
            GaussianMixture mixture = target.mixture();
            assertArrayEquals(mixture.logDensity(x).toFloatArray(), target.logDensity(x).toFloatArray());
            assertArrayEquals(mixture.score(x).toFloatArray(), target.gradLogDensity(x).toFloatArray());
        }
        assertThrows(IllegalArgumentException.class, () -> MixtureTarget.axes(2, 4.0, 0.5, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> MixtureTarget.axes(0, 4.0, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> MixtureTarget.axes(2, -1, 0.5, 1));
    }

    @Test
    void badBananasAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Banana(1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Banana(2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Banana(2, 1, Double.NaN));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Banana(2, 1, 1).gradLogDensity(m.zeros(new Shape(4, 3))));
            assertTrue(e.getMessage().contains("(N, 2)"), e.getMessage());
        }
    }

    /** |mean(values) - expected| &lt;= 5 standard errors of the mean. */
    static void assertWithinFiveErrors(NDArray values, double expected, String what) {
        double mean = values.mean().getDouble();
        double error = Math.sqrt(values.sub(mean).square().mean().getDouble() / values.size());
        assertTrue(Math.abs(mean - expected) <= 5 * error, what + " = " + mean + ", expected " + expected + " +- 5 x " + error);
    }
}
