package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MonteCarloTest {

    /** For 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard error sqrt(5/3 / 4). */
    @Test
    void anEstimateIsTheSampleMeanWithItsStandardError() {
        MonteCarlo.Estimate estimate = MonteCarlo.estimate(new double[] {1, 2, 3, 4});
        assertEquals(2.5, estimate.mean(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3 / 4), estimate.standardError(), 1e-15);
        assertTrue(Double.isNaN(MonteCarlo.estimate(new double[] {7}).standardError()), "one value has no standard error");
        assertThrows(IllegalArgumentException.class, () -> MonteCarlo.estimate(new double[0]));
    }
}
