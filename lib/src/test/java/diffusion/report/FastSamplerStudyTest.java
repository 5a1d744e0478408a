package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/** The study's bookkeeping: every contender keeps to its budget, the observed order is the log-log slope, the floor is a floor. */
class FastSamplerStudyTest extends ManagedTest {

    /**
     * At budgets 5, 10 and 20 every contender of the frontier spends at most B evaluations per sample (Heun and
     * DPM-Solver-2/3 on B/2 and B/3 steps), and at least B - 2 (the rounding of B/2 and B/3).
     */
    @Test
    void everyContenderKeepsToItsBudget() {
        var eight = Toy2D.eightGaussians();
        var vp = new GaussianMixtureOracle(eight, new VpSde(0.1, 20));
        var chain = new GaussianMixtureOracle(eight, NoiseSchedule.linear(1000));
        try (NDManager m = manager.newSubManager()) {
            var contenders = FastSamplerStudy.contenders(chain, eight.sample(m, 200, 1), 2);
            var distance = FastSamplerStudy.ModeDistance.against(m, eight, 400, 3);
            for (var p : FastSamplerStudy.frontier(m, contenders, vp, chain, new int[] {5, 10, 20}, 50, 4, 1, distance, Monitor.quiet())) {
                assertTrue(p.nfe() <= p.budget() && p.nfe() >= p.budget() - 2, p.sampler() + " at " + p.budget() + ": NFE " + p.nfe());
            }
        }
    }

    /** For errors e = C NFE^-p the observed order is p (to double rounding, 1e-12). */
    @Test
    void theObservedOrderIsTheLogLogSlope() {
        for (double p : new double[] {1, 2, 3}) {
            int[] nfe = {50, 100, 198};
            double[] error = new double[3];
            for (int i = 0; i < 3; i++) {
                error[i] = 7 * Math.pow(nfe[i], -p);
            }
            assertEquals(p, new FastSamplerStudy.Errors("synthetic", (int) p, nfe, error).observedOrder(), 1e-12);
        }
    }

    /**
     * The distance of exact draws to the reference is at the floor and a sample with every mode's spread doubled is far
     * above it: n = 2000, floor over 10 repeats; the doubled sample exceeds floor mean + 10 sd.
     */
    @Test
    void theFloorIsAFloor() {
        var eight = Toy2D.eightGaussians();
        try (NDManager m = manager.newSubManager()) {
            var distance = FastSamplerStudy.ModeDistance.against(m, eight, 8000, 5);
            var floor = distance.floor(m, eight, 2000, 10, 6);
            double sd = floor.standardError() * Math.sqrt(10);
            double exact = distance.of(eight.sample(m, 2000, 100));
            double wide = distance.of(GaussianMixture.isotropic(eight.weights(), eight.means(), 2 * Math.sqrt(eight.variances()[0][0]))
                    .sample(m, 2000, 101));
            assertTrue(exact <= floor.mean() + 4 * sd, "exact draws: " + exact + ", floor " + floor.mean() + " sd " + sd);
            assertTrue(wide > floor.mean() + 10 * sd, "doubled spread: " + wide + ", floor " + floor.mean() + " sd " + sd);
        }
    }
}
