package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import diffusion.sde.OrnsteinUhlenbeck;
import diffusion.sde.ReverseFamily;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/**
 * The Girsanov bound's two sides for 1D Gaussian data: with the exact score the sampled law is the posterior
 * p(x_0 | x_T) averaged over the prior (closed form), the score term for a constant field is c^2 a^2 int g^2 / 2 (closed
 * form), the bound holds and is approached as the prior mismatch vanishes, and the sampled law's moments agree with
 * the reverse SDE sampled with the perturbed score.
 */
class GirsanovBoundTest extends ManagedTest {

    private static final double MU0 = 1.5;
    private static final double V0 = 0.25;

    /** c = 0: q_0 = int p(x_0 | x_T) q_T, mean mu0 - r m_T mu0 and variance v0 - r m_T v0 + r^2 P with r = m_T v0 / V_T. */
    @Test
    void exactScoreGivesThePosteriorAveragedOverThePrior() {
        VpSde sde = new VpSde(0.1, 2); // a short run, so that p_T is far from the prior and the KL is not tiny
        GirsanovBound bound = new GirsanovBound(sde, MU0, V0, 1, 0.5);
        double mT = sde.meanScale(1);
        double VT = mT * mT * V0 + sde.std(1) * sde.std(1);
        double r = mT * V0 / VT;
        double mean = MU0 - r * mT * MU0;
        double var = V0 - r * mT * V0 + r * r * 1;
        GirsanovBound.Sides sides = bound.sides(0, 2000);
        // RK4 at h = 5e-4 on rates of size <= beta_max / V ~ 8: error ~ (8 h)^4, far below 1e-10
        assertEquals(mean, sides.sampledMean(), 1e-10);
        assertEquals(var, sides.sampledVariance(), 1e-10);
        assertEquals(GirsanovBound.kl(MU0, V0, mean, var), sides.sampledKl(), 1e-10);
        assertEquals(GirsanovBound.kl(mT * MU0, VT, 0, 1), sides.priorKl(), 1e-12);
        assertEquals(0, sides.scoreTerm());
        assertTrue(sides.sampledKl() <= sides.priorKl(), "data processing: " + sides);
    }

    /** h = a constant: the score term is c^2 a^2 / 2 int_0^1 beta = c^2 a^2 (beta_min + beta_max) / 4 under VP. */
    @Test
    void constantFieldScoreTermIsClosedForm() {
        VpSde sde = new VpSde(0.1, 20);
        GirsanovBound.Sides sides = new GirsanovBound(sde, MU0, V0, 0.7, 0).sides(0.3, 1000);
        // beta is linear, so RK4 (Simpson) integrates it exactly up to rounding
        assertEquals(0.09 * 0.49 * 20.1 / 4, sides.scoreTerm(), 1e-12);
    }

    /** KL(p_0 || q_0) &lt;= bound for c across signs and sizes, and q_0's law is what the sampler draws. */
    @Test
    void boundHoldsAndMatchesTheSampler() {
        VpSde sde = new VpSde(0.1, 20);
        GirsanovBound bound = new GirsanovBound(sde, MU0, V0, 0.5, -1);
        for (double c : new double[] {-2, -0.5, 0.1, 0.5, 2}) {
            GirsanovBound.Sides sides = bound.sides(c, 2000);
            assertTrue(sides.sampledKl() <= sides.bound(), "c = " + c + ": " + sides);
            assertTrue(sides.sampledKl() > 0, "c = " + c + ": " + sides);
        }
        GaussianMixture data = GaussianMixture.gaussian(new double[] {MU0}, new double[] {V0});
        ScoreModel perturbed = bound.perturbed(new GaussianMixtureOracle(data, sde), 0.5);
        int n = 20000;
        TimeGrid grid = TimeGrid.uniform(sde, 1000, 1e-4);
        GirsanovBound.Sides sides = bound.sides(0.5, 2000);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ReverseFamily.fraction(sde, 1).sample(scope, perturbed, grid, Noise.seeded(11), Monitor.quiet(), n).samples();
            double mean = x.mean().getFloat();
            double var = x.sub(mean).square().mean().getFloat();
            double kl = GirsanovBound.kl(MU0, V0, mean, var);
            // Euler-Maruyama's first-order bias at 1000 steps is below the Monte Carlo error of the KL estimate,
            // whose standard error by the delta method is |dKL/dmean| sqrt(var / n) + |dKL/dvar| var sqrt(2 / n)
            double se = Math.abs(mean - MU0) / var * Math.sqrt(var / n) + Math.abs(0.5 / var - 0.5 * (V0 + (MU0 - mean) * (MU0 - mean)) / (var * var)) * var * Math.sqrt(2.0 / n);
            assertEquals(sides.sampledKl(), kl, 4 * se + 0.02 * sides.sampledKl(), "sampled " + kl + " vs " + sides);
        }
    }

    /** Refusals: non-finite c, v0 &lt;= 0, steps &lt; 1, an SDE without horizon, another kernel's model. */
    @Test
    void refusesBadInputs() {
        VpSde sde = new VpSde(0.1, 20);
        GirsanovBound bound = new GirsanovBound(sde, MU0, V0, 1, 0);
        assertMessage("c", () -> bound.sides(Double.NaN, 10));
        assertMessage("c", () -> bound.perturbed(new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0}, new double[] {1}), sde),
                Double.POSITIVE_INFINITY));
        assertMessage("steps", () -> bound.sides(1, 0));
        assertMessage("v0", () -> new GirsanovBound(sde, MU0, 0, 1, 0));
        assertMessage("horizon", () -> new GirsanovBound(OrnsteinUhlenbeck.KERNEL, MU0, V0, 1, 0));
        assertMessage("not for", () -> bound.perturbed(new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0}, new double[] {1}),
                new VpSde(0.1, 10)), 1));
    }

    private static void assertMessage(String fragment, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
