package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.ode.Euler;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The family dx = [f x - (g^2 + b^2) s / 2] dt + b dw_bar with the exact score: b = g is the Euler-Maruyama predictor,
 * b = 0 Euler on the probability flow; every member reaches the data's moments (against the exact law of the discrete
 * chain, which for Gaussian data is Gaussian), at first order in the step; the members' paths differ (corr(x_T, x_0) is
 * 1 on the flow and the forward process's value on the reverse SDE); b outside [0, g] is refused before any work.
 */
class ReverseFamilyTest extends ManagedTest {

    private static final VpSde SDE = new VpSde(0.1, 20);
    private static final double EPS = 1e-3;
    private static final double MU0 = 1.5;
    private static final double V0 = 0.25;
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(new double[] {MU0}, new double[] {V0});
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(GAUSSIAN, SDE);

    /** The drift against its formula f x - (g^2 + b^2) s / 2 at b = g / 3, and its members b = g and b = 0. */
    @Test
    void driftIsTheFamilyFormula() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SDE);
        ReverseSde reverse = new ReverseSde(SDE, oracle);
        NDArray x = manager.randomNormal(new Shape(50, 2));
        double t = 0.4;
        double g = SDE.diffusion(t);
        NDArray byHand = x.mul(SDE.driftRate(t)).sub(oracle.score(x, t).mul((g * g + g * g / 9) / 2));
        // float32: the coefficient is rounded once in each, so the difference is a few ulp of |drift| ~ 10
        assertTrue(reverse.drift(x, t, g / 3).sub(byHand).abs().max().getFloat() < 1e-5f);
        assertEquals(0, reverse.drift(x, t, g).sub(reverse.drift(x, t)).abs().max().getFloat());
        assertEquals(0, reverse.drift(x, t, 0).sub(reverse.probabilityFlow(x, t)).abs().max().getFloat());
    }

    /** b = g with the same noise is Euler-Maruyama, b = 0 is Euler in t on the probability flow. */
    @Test
    void endMembersAreTheReverseSdeAndTheProbabilityFlow() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SDE);
        TimeGrid grid = TimeGrid.uniform(SDE, 40, EPS);
        NDArray start = Noise.seeded(1).normal(manager, new Shape(256, 2));
        NDArray family = ReverseFamily.fraction(SDE, 1).run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
        NDArray em = PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA)
                .run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
        // the same arithmetic grouped differently: float32 rounding (~1e-7 relative) over 40 steps on |x| ~ 5
        assertTrue(family.sub(em).abs().max().getFloat() < 1e-4f, "vs Euler-Maruyama: " + family.sub(em).abs().max().getFloat());
        NDArray flow = ReverseFamily.fraction(SDE, 0).run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
        NDArray euler = new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.T)
                .run(manager, oracle, grid, Noise.seeded(3), Monitor.quiet(), start).samples();
        assertTrue(flow.sub(euler).abs().max().getFloat() < 1e-4f, "vs Euler flow: " + flow.sub(euler).abs().max().getFloat());
    }

    /**
     * For Gaussian data the exact score is affine, -(x - m mu0) / V, so the chain x' = x - [f x - k s] dt + b sqrt(dt) z,
     * k = (g^2 + b^2) / 2, keeps x Gaussian: mean' = c mean + k dt m mu0 / V, var' = c^2 var + b^2 dt with
     * c = 1 - f dt - k dt / V. Returns (mean, var) of x at the grid's end, x(t_0) ~ N(0, 1).
     */
    private static double[] chainLaw(TimeGrid grid, double lambda) {
        double mean = 0;
        double var = 1;
        for (int i = 0; i < grid.steps(); i++) {
            double t = grid.time(i);
            double dt = t - grid.time(i + 1);
            double g = SDE.diffusion(t);
            double b = lambda * g;
            double kappa = (g * g + b * b) / 2;
            double m = SDE.meanScale(t);
            double V = m * m * V0 + SDE.std(t) * SDE.std(t);
            double c = 1 - SDE.driftRate(t) * dt - kappa * dt / V;
            mean = c * mean + kappa * dt * m * MU0 / V;
            var = c * c * var + b * b * dt;
        }
        return new double[] {mean, var};
    }

    /** Every member reaches (mu0, v0): the samples match the chain's exact law, and the chain's error is first order. */
    @Test
    void everyMemberHasTheDataMarginalAtFirstOrder() {
        int n = 20000;
        for (double lambda : new double[] {0, 0.5, 1}) {
            TimeGrid grid = TimeGrid.uniform(SDE, 200, EPS);
            double[] law = chainLaw(grid, lambda);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = ReverseFamily.fraction(SDE, lambda).sample(scope, ORACLE, grid, Noise.seeded(5), Monitor.quiet(), n).samples();
                double mean = x.mean().getFloat();
                double var = x.sub(mean).square().mean().getFloat();
                // 4 standard errors of a normal sample's mean (sqrt(var / n)) and variance (var sqrt(2 / n))
                assertEquals(law[0], mean, 4 * Math.sqrt(law[1] / n), "mean, lambda = " + lambda);
                assertEquals(law[1], var, 4 * law[1] * Math.sqrt(2.0 / n), "variance, lambda = " + lambda);
            }
            double m = SDE.meanScale(EPS);
            double target = m * m * V0 + SDE.std(EPS) * SDE.std(EPS);
            double coarse = Math.abs(chainLaw(TimeGrid.uniform(SDE, 400, EPS), lambda)[1] - target);
            double fine = Math.abs(chainLaw(TimeGrid.uniform(SDE, 1600, EPS), lambda)[1] - target);
            // first order: four times the steps, a quarter of the error (ratio within 3.5..4.5 at these step counts)
            assertTrue(coarse / fine > 3.5 && coarse / fine < 4.5, "lambda = " + lambda + ": error ratio " + coarse / fine);
        }
    }

    /**
     * corr(x_T, x_0): the 1D Gaussian flow map is linear, so 1; on the reverse SDE (x_T, x_0) has the forward law,
     * corr = m_T v0 / sqrt(v0 V_T).
     */
    @Test
    void pathsDifferAlongTheFamily() {
        int n = 20000;
        TimeGrid grid = TimeGrid.uniform(SDE, 400, EPS);
        NDArray start = Noise.seeded(7).normal(manager, new Shape(n, 1));
        double mT = SDE.meanScale(1);
        double forward = mT * V0 / Math.sqrt(V0 * (mT * mT * V0 + SDE.std(1) * SDE.std(1)));
        double flow = correlation(start, ReverseFamily.fraction(SDE, 0).run(manager, ORACLE, grid, Noise.seeded(8), Monitor.quiet(), start).samples());
        double sde = correlation(start, ReverseFamily.fraction(SDE, 1).run(manager, ORACLE, grid, Noise.seeded(8), Monitor.quiet(), start).samples());
        assertEquals(1, flow, 1e-5, "float32 correlation of an affine map");
        assertEquals(forward, sde, 4 / Math.sqrt(n), "4 standard errors of a sample correlation near 0 (1 / sqrt(n))");
    }

    private static double correlation(NDArray a, NDArray b) {
        NDArray ca = a.sub(a.mean());
        NDArray cb = b.sub(b.mean());
        return ca.mul(cb).mean().getFloat() / Math.sqrt(ca.square().mean().getFloat() * cb.square().mean().getFloat());
    }

    /** b outside [0, g(t)] at a grid time, lambda outside [0, 1], another kernel's model: refused before any draw. */
    @Test
    void refusesBadNoiseLevelsBeforeWork() {
        TimeGrid grid = TimeGrid.uniform(SDE, 10, EPS);
        NDArray start = manager.zeros(new Shape(4, 1));
        Noise none = Noise.replay(List.of()); // any draw would fail with another message
        assertMessage("b(t) = ", () -> ReverseFamily.of("1.01 g", SDE, t -> 1.01 * SDE.diffusion(t))
                .run(manager, ORACLE, grid, none, Monitor.quiet(), start));
        assertMessage("b(t) = -", () -> ReverseFamily.of("-0.1", SDE, t -> -0.1).run(manager, ORACLE, grid, none, Monitor.quiet(), start));
        assertMessage("b(t) = NaN", () -> ReverseFamily.of("NaN", SDE, t -> Double.NaN).run(manager, ORACLE, grid, none, Monitor.quiet(), start));
        // b = g down to t = 0.5, then above g: refused at the first bad grid time (0.25), before the first step
        TimeGrid quarters = TimeGrid.of(SDE, 1, 0.75, 0.5, 0.25, EPS);
        assertMessage("at t = 0.25", () -> ReverseFamily.of("late", SDE, t -> t < 0.5 ? 2 * SDE.diffusion(t) : SDE.diffusion(t))
                .run(manager, ORACLE, quarters, none, Monitor.quiet(), start));
        assertMessage("lambda", () -> ReverseFamily.fraction(SDE, 1.5));
        assertMessage("lambda", () -> ReverseFamily.fraction(SDE, Double.NaN));
        assertMessage("not for", () -> ReverseFamily.fraction(new VpSde(0.1, 10), 0.5).run(manager, ORACLE, grid, none, Monitor.quiet(), start));
        assertMessage("b(t) = ", () -> new ReverseSde(SDE, ORACLE).drift(start, 0.5, 10));
        assertThrows(IllegalArgumentException.class,
                () -> ReverseFamily.fraction(SDE, 0.5).run(manager, ORACLE, TimeGrid.uniform(new VpSde(0.1, 10), 10, EPS), none, Monitor.quiet(), start));
    }

    private static void assertMessage(String fragment, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
