package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.PredictorCorrector;
import org.junit.jupiter.api.Test;

/**
 * Annealed Langevin dynamics (Song and Ermon 2019, Algorithm 1) as the corrector-only predictor-corrector sampler,
 * PredictorCorrector.correctorOnly(LangevinCorrector.annealed(epsilon, M)), on the ladder's full grid L, ..., 1, 0:
 * x ~ N(0, sigma_1^2 I), then M Langevin steps at each level i = 1..L (kernel time t = L + 1 - i) with
 * alpha_i = epsilon sigma_i^2 / sigma_L^2, i.e. x &lt;- x + alpha_i / 2 s(x, t) + sqrt(alpha_i) z.
 */
class AnnealedLangevinTest {

    private static final int N = 2000;
    private static final NoiseLadder LADDER = NoiseLadder.geometric(3, 0.01, 10);
    private static final TimeGrid GRID = TimeGrid.full(LADDER);

    /**
     * With the exact oracle score of the diffused mixture at every level, annealed Langevin dynamics followed by
     * Tweedie's denoising step at sigma_L reproduces the data: the MMD between samples and fresh data lies within the
     * data-versus-data baseline at the same sample size (mean + 4 standard deviations over 10 pairs of independent data
     * sets). Power check: the same run with a single Langevin step per level does not mix and is rejected. (Tweedie's
     * step is applied by hand, model.denoise(x, 1) at the last level t = 1: Sampler.thenDenoise denoises at the grid's
     * last time, which on the ladder's grid is t = 0, s = 0, and is refused there.)
     */
    @Test
    void annealedLangevinWithTheExactScoreReproducesTheMixture() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, LADDER);
        try (NDManager m = NDManager.newBaseManager()) {
            MmdBaseline baseline = MmdBaseline.of(m, data, N, 10, 100);
            double threshold = baseline.threshold(4);
            Sampler.Result result = PredictorCorrector.correctorOnly(LangevinCorrector.annealed(4e-5, 50))
                    .sample(m, oracle, GRID, Noise.seeded(7), Monitor.quiet(), N);
            assertEquals(LADDER.levels() * 50, result.nfe(), "M score evaluations at each of the L levels");
            NDArray samples = oracle.denoise(result.samples(), 1); // x + sigma_L^2 s(x, sigma_L) (Tweedie, m = 1)
            double mmd = Mmd.rbf(samples, data.sample(m, N, 8));
            assertTrue(mmd <= threshold, "MMD " + mmd + " > baseline " + baseline);
            NDArray unmixed = oracle.denoise(PredictorCorrector.correctorOnly(LangevinCorrector.annealed(4e-5, 1))
                    .sample(m, oracle, GRID, Noise.seeded(7), Monitor.quiet(), N).samples(), 1);
            double rejected = Mmd.rbf(unmixed, data.sample(m, N, 8));
            assertTrue(rejected > threshold, "one step per level: MMD " + rejected + " should exceed " + threshold);
        }
    }

    /**
     * alpha_i = epsilon sigma_i^2 / sigma_L^2, i.e. the Langevin step h = alpha_i / 2: h = epsilon / 2 at the last level
     * (t = 1) and the ratio between levels is (sigma_i / sigma_j)^2 (to 1e-12: double arithmetic on the ladder's values).
     */
    @Test
    void theStepSizeScalesWithTheSquaredNoiseLevel() {
        LangevinCorrector corrector = LangevinCorrector.annealed(1e-4, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray any = m.ones(new Shape(3, 2)); // the annealed rule ignores the score and the noise
            assertEquals(0.5e-4, corrector.stepSize(any, any, 1, LADDER.time(LADDER.levels()), GRID), 1e-18);
            double ratio = LADDER.sigma(1) / LADDER.sigma(2);
            assertEquals(ratio * ratio, corrector.stepSize(any, any, 1, LADDER.time(1), GRID)
                    / corrector.stepSize(any, any, 1, LADDER.time(2), GRID), 1e-12);
        }
    }

    @Test
    void badSettingsAndAForeignModelAreRejected() {
        assertMessage("steps = 0", () -> LangevinCorrector.annealed(1e-4, 0));
        assertMessage("epsilon = -1.0E-4", () -> LangevinCorrector.annealed(-1e-4, 5));
        PredictorCorrector sampler = PredictorCorrector.correctorOnly(LangevinCorrector.annealed(1e-4, 5));
        GaussianMixtureOracle ddpm = new GaussianMixtureOracle(Toy2D.eightGaussians(), NoiseSchedule.linear(10));
        try (NDManager m = NDManager.newBaseManager()) {
            assertMessage("grid is over", () -> sampler.sample(m, ddpm, GRID, Noise.seeded(1), Monitor.quiet(), 10));
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), LADDER);
            assertMessage("n = 0", () -> sampler.sample(m, oracle, GRID, Noise.seeded(1), Monitor.quiet(), 0));
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message names " + fragment + ": " + e.getMessage());
    }
}
