package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.ode.DormandPrince;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The closed-form probability-flow map of Gaussian data against a tight numerical solve, and its group property. */
class GaussianFlowMapTest extends ManagedTest {

    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(new double[] {1.5, -0.5}, new double[] {0.25, 2.0});

    /**
     * The map equals the probability-flow ODE in t (Song et al.'s dx/dt = f x - g^2 score / 2, a different time variable
     * and right-hand side than the closed form's) solved by RK45 at rtol = atol = 1e-10 with the exact oracle, from t = 1
     * to 1e-3 on VP and VE, in float64: within 1e-6 (1 + |x|) (the solver's global error over ~ 100 steps of local
     * error 1e-10 on states up to 50, with margin).
     */
    @Test
    void theMapIsTheFlowOfTheOde() {
        for (PerturbationKernel kernel : List.<PerturbationKernel>of(new VpSde(0.1, 20), new VeSde(0.01, 50))) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x = Noise.seeded(1).normal(m, new Shape(100, 2)).toType(DataType.FLOAT64, false).mul(kernel.priorStd(1));
                NDArray solved = new ProbabilityFlow(new DormandPrince(1e-10, 1e-10, 100_000), ProbabilityFlow.Time.T)
                        .run(m, new GaussianMixtureOracle(GAUSSIAN, kernel), TimeGrid.of(kernel, 1, 1e-3), Noise.seeded(0), Monitor.quiet(), x)
                        .samples();
                NDArray exact = new GaussianFlowMap(GAUSSIAN, kernel).map(x, 1, 1e-3);
                double scale = 1 + exact.abs().max().getDouble();
                assertEquals(0, solved.sub(exact).abs().max().getDouble(), 1e-6 * scale, kernel.toString());
            }
        }
    }

    /** map(t -> u) then map(u -> s) is map(t -> s), and map(t -> t) is the identity (float64, 1e-12 relative). */
    @Test
    void theMapComposes() {
        VpSde vp = new VpSde(0.1, 20);
        GaussianFlowMap map = new GaussianFlowMap(GAUSSIAN, vp);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = Noise.seeded(2).normal(m, new Shape(50, 2)).toType(DataType.FLOAT64, false);
            NDArray twoSteps = map.map(map.map(x, 0.9, 0.4), 0.4, 0.01);
            assertEquals(0, twoSteps.sub(map.map(x, 0.9, 0.01)).abs().max().getDouble(), 1e-12 * (1 + twoSteps.abs().max().getDouble()));
            assertEquals(0, map.map(x, 0.5, 0.5).sub(x).abs().max().getDouble(), 1e-12 * (1 + x.abs().max().getDouble()));
        }
        assertThrows(IllegalArgumentException.class, () -> new GaussianFlowMap(GaussianMixture.eightGaussians(2, 0.3), vp));
    }
}
