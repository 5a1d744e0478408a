package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.ode.Heun;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Karras et al.'s Heun sampler (EDM Algorithms 1 and 2) with the exact oracle: without churn it is the probability flow
 * solved by Heun in sigma on the same grid (VP, VE, a discrete schedule); one stochastic step is Algorithm 2's closed
 * form; the stochastic sampler lands on the right marginal; what it cannot do is refused before any work.
 */
class EdmHeunTest extends ManagedTest {

    private static final VpSde VP = new VpSde(0.1, 20);
    private static final double[] MU = {1.5, -0.5};
    private static final double[] V = {0.25, 2.0};
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(MU, V);

    /**
     * S_churn = 0 is ProbabilityFlow(Heun, SIGMA) on the same grid, with the same NFE (2 per step, 1 on an Euler step into
     * sigma = 0): on a Karras grid (rho = 7, sigma 80 to 0.02) of VP, a uniform grid of VE, and 20 respaced steps of the
     * discrete linear schedule down to t = 0. float64, from the same 100 prior draws: within 1e-10 (1 + max |x|); the two
     * evaluate eps once through the X0 conversion and once directly, and the EDM sampler finds each grid time by
     * bisection (to 1e-15 relative) instead of reading it off the grid.
     */
    @Test
    void withoutChurnItIsHeunInSigma() {
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        List<TimeGrid> grids = List.of(TimeGrid.karras(VP, 12, 0.02, 80, 7), TimeGrid.uniform(new VeSde(0.01, 50), 15, 0),
                TimeGrid.of(Timesteps.uniform(linear, 20)));
        for (TimeGrid grid : grids) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, grid.kernel());
            try (NDManager m = manager.newSubManager()) {
                NDArray start = Noise.seeded(1).normal(m, new Shape(100, 2)).toType(DataType.FLOAT64, false).mul(grid.kernel().priorStd(grid.start()));
                Sampler.Result edm = EdmHeun.deterministic().run(m, oracle, grid, Noise.seeded(0), Monitor.quiet(), start);
                Sampler.Result flow = new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA).run(m, oracle, grid, Noise.seeded(0), Monitor.quiet(), start);
                double difference = edm.samples().sub(flow.samples()).abs().max().getDouble();
                double tolerance = 1e-10 * (1 + flow.samples().abs().max().getDouble());
                assertTrue(difference <= tolerance, grid.kernel() + ": max |EDM Heun - flow Heun in sigma| = " + difference);
                assertEquals(flow.nfe(), edm.nfe(), grid.kernel() + ": NFE");
                assertEquals(grid.kernel().discrete() ? 2 * grid.steps() - 1 : 2 * grid.steps(), edm.nfe(), grid.kernel() + ": NFE");
            }
        }
    }

    /** E[x_0 | y] = mu + v (y - mu) / (v + sigma^2) for the Gaussian data, coordinate j. */
    private static double posteriorMean(double y, int j, double sigma) {
        return MU[j] + V[j] * (y - MU[j]) / (V[j] + sigma * sigma);
    }

    /**
     * One stochastic step is Algorithm 2 of the EDM paper, computed here in double precision with the exact denoiser of
     * the Gaussian data: on VP from t = 0.7 to 0.4 with S_churn = 0.3 on a one-step grid (gamma = min(0.3 / 1, sqrt 2 - 1)),
     * S_noise = 1.007 and a replayed z; float64: within 1e-9 (1 + |x|) (bisection to 1e-15 and a few roundings).
     */
    @Test
    void oneStochasticStepIsAlgorithm2() {
        double t0 = 0.7, t1 = 0.4, churn = 0.3, sNoise = 1.007;
        TimeGrid grid = TimeGrid.of(VP, t0, t1);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, VP);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = Noise.seeded(2).normal(m, new Shape(64, 2)).toType(DataType.FLOAT64, false).mul(3);
            NDArray z = Noise.seeded(3).normal(m, new Shape(64, 2)).toType(DataType.FLOAT64, false);
            NDArray result = EdmHeun.stochastic(churn, 0, Double.POSITIVE_INFINITY, sNoise)
                    .run(m, oracle, grid, Noise.replay(List.of(z)), Monitor.quiet(), x).samples();
            double[] xs = x.toDoubleArray(), zs = z.toDoubleArray(), got = result.toDoubleArray();
            double sigma0 = VP.sigma(t0), sigma1 = VP.sigma(t1);
            double sigmaHat = (1 + Math.min(churn, Math.sqrt(2) - 1)) * sigma0;
            for (int i = 0; i < xs.length; i++) {
                int j = i % 2;
                double yHat = xs[i] / VP.meanScale(t0) + Math.sqrt(sigmaHat * sigmaHat - sigma0 * sigma0) * sNoise * zs[i];
                double d = (yHat - posteriorMean(yHat, j, sigmaHat)) / sigmaHat;
                double yEuler = yHat + (sigma1 - sigmaHat) * d;
                double dPrime = (yEuler - posteriorMean(yEuler, j, sigma1)) / sigma1;
                double expected = VP.meanScale(t1) * (yHat + (sigma1 - sigmaHat) * 0.5 * (d + dPrime));
                assertEquals(expected, got[i], 1e-9 * (1 + Math.abs(expected)), "entry " + i);
            }
        }
    }

    /**
     * The stochastic sampler (S_churn = 40, S_tmin = 0.05, S_tmax = 50, S_noise = 1, EDM's ImageNet settings but S_noise)
     * lands on the target marginal: on VP from sigma = 80 to 0.02 over 64 Karras steps (rho = 7), 20 000 samples of the
     * Gaussian data have mean and variance of x(t_N) ~ N(m mu, m^2 v + s^2) within 4 standard errors per coordinate
     * (SE = sqrt(var / n) and sqrt(2 / n) var; the discretisation error at 64 steps is far below them).
     */
    @Test
    void theStochasticSamplerLandsOnTheMarginal() {
        TimeGrid grid = TimeGrid.karras(VP, 64, 0.02, 80, 7);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, VP);
        int n = 20_000;
        try (NDManager m = manager.newSubManager()) {
            Sampler.Result result = EdmHeun.stochastic(40, 0.05, 50, 1).sample(m, oracle, grid, Noise.seeded(4), Monitor.quiet(), n);
            assertEquals(128, result.nfe());
            GaussianMixture target = oracle.marginal(grid.end());
            NDArray x = result.samples().toType(DataType.FLOAT64, false);
            double[] mean = x.mean(new int[] {0}).toDoubleArray();
            double[] variance = x.sub(x.mean(new int[] {0})).square().mean(new int[] {0}).toDoubleArray();
            for (int j = 0; j < 2; j++) {
                double v = target.variance()[j];
                assertEquals(target.mean()[j], mean[j], 4 * Math.sqrt(v / n), "mean, coordinate " + j);
                assertEquals(v, variance[j], 4 * Math.sqrt(2.0 / n) * v, "variance, coordinate " + j);
            }
        }
    }

    /**
     * Refused before any work, with messages naming the value: S_churn &lt; 0, S_noise &lt;= 0, S_tmax &lt; S_tmin, churn on
     * a discrete kernel, churn that raises sigma above sigma(tMax); and the Karras grid's rho &lt;= 0 and sigma_min &gt;=
     * sigma_max.
     */
    @Test
    void whatItCannotDoIsRefused() {
        refuses("S_churn = -1.0", () -> EdmHeun.stochastic(-1, 0, 1, 1));
        refuses("S_noise = 0.0", () -> EdmHeun.stochastic(1, 0, 1, 0));
        refuses("S_tmax = 0.5 must be >= S_tmin = 1.0", () -> EdmHeun.stochastic(1, 1, 0.5, 1));
        refuses("rho = 0.0", () -> TimeGrid.karras(VP, 10, 0.02, 80, 0));
        refuses("rho = -7.0", () -> TimeGrid.karras(VP, 10, 0.02, 80, -7));
        refuses("sigmaMin = 80.0, sigmaMax = 80.0", () -> TimeGrid.karras(VP, 10, 80, 80, 7));
        refuses("sigmaMin = 90.0, sigmaMax = 80.0", () -> TimeGrid.karras(VP, 10, 90, 80, 7));
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        try (NDManager fresh = manager.newSubManager()) {
            NDArray start = fresh.zeros(new Shape(4, 2));
            refuses("discrete kernel", () -> EdmHeun.stochastic(10, 0, Double.POSITIVE_INFINITY, 1).run(fresh,
                    new GaussianMixtureOracle(GAUSSIAN, linear), TimeGrid.of(Timesteps.uniform(linear, 10)), Noise.seeded(0), Monitor.quiet(), start));
            refuses("above sigma(tMax)", () -> EdmHeun.stochastic(10, 0, Double.POSITIVE_INFINITY, 1).run(fresh,
                    new GaussianMixtureOracle(GAUSSIAN, VP), TimeGrid.uniform(VP, 10, 1e-3), Noise.seeded(0), Monitor.quiet(), start));
            assertEquals(1, fresh.getManagedArrays().size(), "no work before the checks");
        }
    }

    static void refuses(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should say " + fragment);
    }
}
