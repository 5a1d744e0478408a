package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetBaselineTest extends ManagedTest {

    /**
     * For a pool of 40000 draws of N(0, I_3), two disjoint subsets of n = 1000 rows have E d^2 close to the
     * leading-order bias 2 d / n + d (d + 1) / (2 (n - 1)) = 0.012 of two independent samples (FrechetDistance):
     * the mean of 40 splits lies within 4 standard errors (sd / sqrt(pairs)) of it; the same seed repeats the numbers,
     * and nothing is left in the pool's manager.
     */
    @Test
    void theBaselineOfOneLawIsTheEstimatorsBias() {
        int d = 3;
        int n = 1000;
        try (NDManager m = manager.newSubManager()) {
            Random random = new Random(1);
            float[] values = new float[40_000 * d];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NDArray pool = m.create(values, new Shape(40_000, d));
            FrechetBaseline baseline = FrechetBaseline.of(pool, n, 40, 2);
            double bias = 2.0 * d / n + d * (d + 1) / (2.0 * (n - 1));
            assertEquals(bias, baseline.mean(), 4 * baseline.sd() / Math.sqrt(baseline.pairs()), baseline.toString());
            assertTrue(baseline.sd() > 0 && baseline.sd() < baseline.mean(), baseline.toString());
            assertEquals(baseline, FrechetBaseline.of(pool, n, 40, 2));
            assertEquals(baseline.mean() + 3 * baseline.sd(), baseline.threshold(3), 0.0);
            assertEquals(1, m.getManagedArrays().size(), "every split is released");
        }
    }

    /** A pool too small for two disjoint draws, or fewer than two pairs, are refused. */
    @Test
    void badInputIsRefused() {
        NDArray pool = manager.randomNormal(new Shape(30, 2));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> FrechetBaseline.of(pool, 16, 5, 1));
        assertTrue(small.getMessage().contains("need >= 32"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FrechetBaseline.of(pool, 10, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> FrechetBaseline.of(pool, 1, 5, 1));
    }
}
