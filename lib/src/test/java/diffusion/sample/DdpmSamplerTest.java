package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DdpmSamplerTest {

    private static final int N = 2000;
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    /**
     * With the exact oracle score, ancestral sampling reproduces the data: the MMD between samples and fresh data
     * lies within the data-versus-data baseline at the same sample size (mean + 4 standard deviations over 10 pairs
     * of independent data sets).
     */
    @Test
    void samplingWithTheExactOracleReproducesTheMixture() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        try (NDManager m = NDManager.newBaseManager()) {
            MmdBaseline baseline = MmdBaseline.of(m, data, N, 10, 100);
            double threshold = baseline.threshold(4);
            for (DdpmVariance variance : DdpmVariance.values()) {
                NDArray samples = new DdpmSampler(SCHEDULE, variance).sample(m, oracle, N, 7);
                double mmd = Mmd.rbf(samples, data.sample(m, N, 8));
                assertTrue(mmd <= threshold, variance + ": MMD " + mmd + " > baseline " + baseline);
            }
            // Power check: the same statistic flags a wrong law (the mixture with its modes at 1.3 x the radius).
            GaussianMixture shifted = data.diffuse(1.3, 0.0);
            assertTrue(Mmd.rbf(shifted.sample(m, N, 9), data.sample(m, N, 10)) > threshold, "the baseline rejects a wrong law");
        }
    }

    /**
     * With the exact score the reverse chain passes through the forward marginals: for x_0 ~ N(0, v) the variance of
     * x_t is alphaBar_t v + 1 - alphaBar_t at every t (tolerance 5 Monte Carlo standard errors of a variance,
     * v_t sqrt(2 / (n - 1)); the discretisation error at T = 1000 is far smaller). The observer sees every step.
     */
    @Test
    void theObserverSeesEveryIntermediateMarginal() {
        double v = 0.25;
        int n = 20_000;
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0.0}, new double[] {v}), SCHEDULE);
        double[] variance = new double[SCHEDULE.T()];
        int[] calls = {0};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray samples = new DdpmSampler(SCHEDULE, DdpmVariance.BETA_TILDE).sample(m, oracle, n, 13, (x, t) -> {
                variance[t] = MonteCarlo.variance(x, 0);
                calls[0]++;
            });
            assertEquals(SCHEDULE.T(), calls[0]);
            assertEquals(MonteCarlo.variance(samples, 0), variance[0], 0.0, "the last call sees x_0");
            for (int t = 0; t < SCHEDULE.T(); t += 50) {
                double expected = SCHEDULE.alphaBar(t) * v + 1 - SCHEDULE.alphaBar(t);
                assertEquals(expected, variance[t], 5 * MonteCarlo.varianceError(expected, n), "Var(x_t) at t = " + t);
            }
        }
    }

    @Test
    void theSameSeedGivesBitwiseTheSameSamples() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule);
        DdpmSampler sampler = new DdpmSampler(schedule, DdpmVariance.BETA);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] first = sampler.sample(m, oracle, 500, 11).toFloatArray();
            float[] second = sampler.sample(m, oracle, 500, 11).toFloatArray();
            float[] other = sampler.sample(m, oracle, 500, 12).toFloatArray();
            assertArrayEquals(first, second);
            assertFalse(Arrays.equals(first, other));
        }
    }

    @Test
    void badInputIsRejected() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle other = new GaussianMixtureOracle(Toy2D.eightGaussians(), NoiseSchedule.linear(50));
        DdpmSampler sampler = new DdpmSampler(schedule, DdpmVariance.BETA);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> sampler.sample(m, other, 10, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> sampler.sample(m, new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule), 0, 1));
        }
    }
}
