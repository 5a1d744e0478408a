package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

class ContinuousBoundTest extends ManagedTest {

    private static MonteCarlo.Estimate bound(GaussianMixture data, MonotoneGamma schedule, long seed) {
        return ContinuousBound.estimate(manager, new GaussianMixtureOracle(data, schedule), data, 200, 500, seed);
    }

    @Test
    void matchesTheClosedFormOnGaussianData() {
        // Gaussian data: L_inf = 1/2 sum_j log((1 + SNR(0) v_j) / (1 + SNR(1) v_j)); 4 collapsed-strata SE (seed 3), which
        // over-state the error, so the check is conservative.
        double[] variance = {1, 0.25};
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0.5, -1}, variance);
        for (MonotoneGamma schedule : new MonotoneGamma[] {MonotoneGamma.linear(-6, 8), MonotoneGamma.random(manager, -6, 8, 16, 4)}) {
            MonteCarlo.Estimate estimate = bound(data, schedule, 3);
            assertEquals(ContinuousBound.gaussian(variance, schedule), estimate.mean(), 4 * estimate.standardError(), schedule.toString());
            assertTrue(estimate.standardError() < 0.02 * estimate.mean(), "resolved to 2%: SE " + estimate.standardError());
        }
    }

    @Test
    void dependsOnTheScheduleOnlyThroughItsEndPoints() {
        // eight Gaussians with the exact denoiser: three schedules from gamma = -6 to 8 agree within 4 SE of their difference
        // (the SEs combined as if independent); moving gamma0 to -4 (SNR(0) from e^6 to e^4) changes the bound by > 10 SE.
        GaussianMixture data = Toy2D.eightGaussians();
        MonteCarlo.Estimate linear = bound(data, MonotoneGamma.linear(-6, 8), 7);
        for (long seed : new long[] {1, 2}) {
            MonteCarlo.Estimate learned = bound(data, MonotoneGamma.random(manager, -6, 8, 16, seed), 7);
            double se = Math.hypot(linear.standardError(), learned.standardError());
            assertEquals(linear.mean(), learned.mean(), 4 * se, "network seed " + seed);
        }
        MonteCarlo.Estimate shorter = bound(data, MonotoneGamma.linear(-4, 8), 7);
        double se = Math.hypot(linear.standardError(), shorter.standardError());
        assertTrue(linear.mean() - shorter.mean() > 10 * se, linear + " vs " + shorter);
    }

    @Test
    void refusesBadInputBeforeWork() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, MonotoneGamma.linear(-6, 8));
        assertMessage(() -> ContinuousBound.estimate(manager, oracle, data, 3, 10, 0), "strata = 3");
        assertMessage(() -> ContinuousBound.estimate(manager, oracle, data, 0, 10, 0), "strata = 0");
        assertMessage(() -> ContinuousBound.estimate(manager, oracle, data, 2, 0, 0), "perStratum = 0");
        assertMessage(() -> ContinuousBound.estimate(manager, new GaussianMixtureOracle(data, diffusion.schedule.NoiseSchedule.linear(10)),
                data, 2, 1, 0), "needs a MonotoneGamma");
        assertMessage(() -> ContinuousBound.gaussian(new double[] {0}, MonotoneGamma.linear(-6, 8)), "variance[0] = 0.0");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
