package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.data.Toy2D;
import diffusion.process.Posterior;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

class ChainModelTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);

    /**
     * DDPM's two fixed variances with the published t = 1 convention (Ho et al.'s and improved-diffusion's code):
     * sigma_t^2 = beta_t or betaTilde_t for t >= 2, and sigma_1^2 = betaTilde_2 for both (betaTilde_1 = 0 has no
     * density). To 1e-10 relative (double arithmetic; see NonMarkovianPosteriorTest for the cancellation).
     */
    @Test
    void theFixedVariancesFollowThePublishedConventionAtTOne() {
        ChainModel beta = ChainModel.ddpm(ORACLE, ReverseVariance.BETA);
        ChainModel tilde = ChainModel.ddpm(ORACLE, ReverseVariance.BETA_TILDE);
        assertEquals(SCHEDULE.betaTilde(2), beta.sigmaSquared(1), 0, "sigma_1^2 = betaTilde_2 for sigma^2 = beta");
        assertEquals(SCHEDULE.betaTilde(2), tilde.sigmaSquared(1), 0, "sigma_1^2 = betaTilde_2 for sigma^2 = betaTilde");
        assertTrue(Math.abs(SCHEDULE.beta(1) - SCHEDULE.betaTilde(2)) > 0.1 * SCHEDULE.beta(1), "the convention is visible: beta_1 differs");
        for (int t : new int[] {2, 3, 100, 1000}) {
            assertEquals(SCHEDULE.beta(t), beta.sigmaSquared(t), 1e-10 * SCHEDULE.beta(t), "beta at t = " + t);
            assertEquals(SCHEDULE.betaTilde(t), tilde.sigmaSquared(t), 1e-10 * SCHEDULE.betaTilde(t), "betaTilde at t = " + t);
        }
        // a given rule (Analytic-DPM's) is used as given, at t = 1 too
        ChainModel given = new ChainModel(ORACLE, 1, ReverseVariance.of((t, s) -> 0.125 * t));
        assertEquals(0.125, given.sigmaSquared(1), 0);
        assertEquals(2.5, given.sigmaSquared(20), 0);
    }

    /**
     * For eta = 1 the chain's reverse mean, computed through x0_hat as m_{t-1} x0_hat + sqrt(s_{t-1}^2 - betaTilde_t) eps,
     * is Ho et al.'s eps-form mean (Posterior.meanFromEpsilon) with the same eps, and its log variance is log sigma_t^2.
     * Tolerance 1e-5 absolute: both forms round a few float32 numbers no larger than |x_t| + |eps| &lt; 10 (relative 6e-8
     * each); through x0_hat they pass numbers up to (|x_t| + |eps|) / m_t, rescaled by m_{t-1} ~ m_t.
     */
    @Test
    void theReverseMeanIsTheEpsFormPosteriorMean() {
        ChainModel chain = ChainModel.ddpm(ORACLE, ReverseVariance.BETA);
        Posterior posterior = new Posterior(SCHEDULE);
        try (NDManager m = manager.newSubManager()) {
            NDArray xt = Noise.seeded(3).normal(m, new Shape(256, 2)).mul(1.5);
            for (int t : new int[] {1, 2, 10, 500, 1000}) {
                ReverseModel.Gaussian reverse = chain.reverse(xt, t);
                NDArray expected = posterior.meanFromEpsilon(xt, ORACLE.epsilon(xt, t), t);
                double difference = reverse.mean().sub(expected).abs().max().getFloat();
                assertTrue(difference < 1e-5, "t = " + t + ": max |chain mean - eps-form mean| = " + difference);
                assertEquals(Math.log(chain.sigmaSquared(t)), reverse.logVariance().getFloat(), 1e-6 * Math.abs(Math.log(chain.sigmaSquared(t))));
            }
            assertEquals(2, chain.dim());
            assertEquals(SCHEDULE, chain.schedule());
        }
    }

    @Test
    void aContinuousKernelIsRefused() {
        GaussianMixtureOracle continuous = new GaussianMixtureOracle(Toy2D.eightGaussians(), new VpSde(0.1, 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChainModel.ddpm(continuous, ReverseVariance.BETA));
        assertTrue(e.getMessage().contains("discrete NoiseSchedule"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ChainModel(ORACLE, 1.5, ReverseVariance.BETA));
    }
}
