package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class ModeWeightsTest {

    private static final double[][] MODES = {{4, 0}, {0, 4}, {-4, 0}};

    @Test
    void eachPointCountsForItsNearestMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[][] {{3, 1}, {1, 3}, {0.5f, 5}, {-9, -1}});
            assertArrayEquals(new double[] {0.25, 0.5, 0.25}, ModeWeights.fractions(x, MODES), 1e-12);
            // TV between (1/4, 1/2, 1/4) and (1/2, 1/4, 1/4): (1/4 + 1/4 + 0) / 2
            assertEquals(0.25, ModeWeights.error(x, MODES, new double[] {2, 1, 1}), 1e-12);
        }
    }

    /**
     * Exact samples of a well-separated mixture (modes at least 4 sqrt(2) apart, std 0.5) recover
     * the weights: each fraction within 5 binomial standard errors sqrt(w (1 - w) / n).
     */
    @Test
    void exactSamplesRecoverTheWeights() {
        double[] weights = {0.2, 0.3, 0.5};
        GaussianMixture mixture = GaussianMixture.isotropic(weights, MODES, 0.5);
        int n = 20_000;
        try (NDManager m = NDManager.newBaseManager()) {
            double[] fractions = ModeWeights.fractions(mixture.sample(m, n, 3), MODES);
            for (int k = 0; k < 3; k++) {
                assertEquals(weights[k], fractions[k], 5 * Math.sqrt(weights[k] * (1 - weights[k]) / n), "mode " + k);
            }
        }
    }

    @Test
    void allMassOnOneModeHasErrorOneMinusItsWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(10, 2)).add(m.create(new float[] {4, 0}));
            assertEquals(1 - 0.2, ModeWeights.error(x, MODES, new double[] {0.2, 0.3, 0.5}), 1e-12);
        }
    }

    @Test
    void badInputIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(4, 2));
            assertThrows(IllegalArgumentException.class, () -> ModeWeights.fractions(x, new double[0][]));
            assertThrows(IllegalArgumentException.class, () -> ModeWeights.fractions(m.zeros(new Shape(4, 3)), MODES));
            assertThrows(IllegalArgumentException.class, () -> ModeWeights.error(x, MODES, new double[] {1, 1}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModeWeights.error(x, MODES, new double[] {1, -1, 1}));
            assertTrue(e.getMessage().contains("weights[1] = -1.0"), e.getMessage());
        }
    }
}
