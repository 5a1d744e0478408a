package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

class AnnealedLangevinTest {

    private static final int N = 2000;
    private static final NoiseLadder LADDER = NoiseLadder.geometric(3, 0.01, 10);

    /**
     * With the exact oracle score of the diffused mixture at every level, annealed Langevin dynamics reproduces the
     * data: the MMD between samples and fresh data lies within the data-versus-data baseline at the same sample size
     * (mean + 4 standard deviations over 10 pairs of independent data sets). Power check: the same run with a single
     * Langevin step per level does not mix and is rejected.
     */
    @Test
    void annealedLangevinWithTheExactScoreReproducesTheMixture() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, LADDER);
        try (NDManager m = NDManager.newBaseManager()) {
            MmdBaseline baseline = MmdBaseline.of(m, data, N, 10, 100);
            double threshold = baseline.threshold(4);
            NDArray samples = new AnnealedLangevin(LADDER, 50, 4e-5, true).sample(m, oracle, N, 7);
            double mmd = Mmd.rbf(samples, data.sample(m, N, 8));
            assertTrue(mmd <= threshold, "MMD " + mmd + " > baseline " + baseline);
            NDArray unmixed = new AnnealedLangevin(LADDER, 1, 4e-5, true).sample(m, oracle, N, 7);
            double rejected = Mmd.rbf(unmixed, data.sample(m, N, 8));
            assertTrue(rejected > threshold, "one step per level: MMD " + rejected + " should exceed " + threshold);
        }
    }

    /** alpha_i = epsilon sigma_i^2 / sigma_L^2: alpha_L = epsilon and the ratio between levels is (sigma_i / sigma_j)^2. */
    @Test
    void theStepSizeScalesWithTheSquaredNoiseLevel() {
        AnnealedLangevin sampler = new AnnealedLangevin(LADDER, 5, 1e-4, false);
        assertEquals(1e-4, sampler.stepSize(LADDER.levels()), 1e-18);
        double ratio = LADDER.sigma(1) / LADDER.sigma(2);
        assertEquals(ratio * ratio, sampler.stepSize(1) / sampler.stepSize(2), 1e-12);
    }

    @Test
    void badSettingsAndAForeignModelAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AnnealedLangevin(LADDER, 0, 1e-4, false));
        assertThrows(IllegalArgumentException.class, () -> new AnnealedLangevin(LADDER, 5, -1e-4, false));
        AnnealedLangevin sampler = new AnnealedLangevin(LADDER, 5, 1e-4, false);
        GaussianMixtureOracle ddpm = new GaussianMixtureOracle(Toy2D.eightGaussians(), NoiseSchedule.linear(10));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> sampler.sample(m, ddpm, 10, 1));
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), LADDER);
            assertThrows(IllegalArgumentException.class, () -> sampler.sample(m, oracle, 0, 1));
        }
    }
}
