package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.SlicedWasserstein;
import org.junit.jupiter.api.Test;

class SampleQualityTest {

    /** The scores are Mmd.rbf and SlicedWasserstein.distance with 200 directions of seed 7, and they see a wrong law. */
    @Test
    void scoresAreTheTwoStatisticsAgainstTheReference() {
        GaussianMixture data = Toy2D.eightGaussians();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray reference = data.sample(m, 1000, 1);
            NDArray other = data.sample(m, 1000, 2);
            SampleQuality.Scores scores = SampleQuality.against(reference).of(other);
            assertEquals(Mmd.rbf(other, reference), scores.mmd(), 1e-12);
            assertEquals(SlicedWasserstein.distance(other, reference, 200, 7), scores.slicedW2(), 1e-12);
            SampleQuality.Scores wrong = SampleQuality.against(reference).of(data.diffuse(1.3, 0.0).sample(m, 1000, 3));
            assertTrue(wrong.mmd() > 10 * Math.abs(scores.mmd()) && wrong.slicedW2() > 2 * scores.slicedW2());
        }
    }
}
