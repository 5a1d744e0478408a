package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import diffusion.data.Toy2D;
import org.junit.jupiter.api.Test;

class MmdBaselineTest {

    /** The unbiased MMD^2 of two samples of one law has mean 0: the baseline's mean lies within 4 standard errors of 0. */
    @Test
    void theBaselineOfTheUnbiasedStatisticIsCentredAtZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            MmdBaseline baseline = MmdBaseline.of(m, Toy2D.eightGaussians(), 500, 20, 1);
            assertTrue(baseline.sd() > 0);
            assertEquals(0.0, baseline.mean(), 4 * baseline.sd() / Math.sqrt(baseline.pairs()));
            assertEquals(baseline.mean() + 3 * baseline.sd(), baseline.threshold(3), 0.0);
            assertEquals(0, m.getManagedArrays().size(), "every pair is released");
            assertThrows(IllegalArgumentException.class, () -> MmdBaseline.of(m, Toy2D.eightGaussians(), 500, 1, 1));
        }
    }
}
