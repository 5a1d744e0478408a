package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.ode.DormandPrince;
import diffusion.ode.Heun;
import diffusion.ode.OdeSolver;
import diffusion.ode.Solution;
import diffusion.ode.VectorField;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

/** The probability-flow ODE with the oracle's exact score on eight-Gaussians data under the VP SDE, in float64. */
class ProbabilityFlowOdeTest extends ManagedTest {

    private static final VpSde SDE = new VpSde(0.1, 20);
    private static final GaussianMixture DATA = Toy2D.eightGaussians();
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(DATA, SDE);
    private static final ProbabilityFlowOde FLOW = new ProbabilityFlowOde(new ReverseSde(SDE, ORACLE), 1e-3);
    private static final double[] TIMES = {0.6, 0.3, 0.1, 1e-3};
    private static final int N = 4000;

    /**
     * Moments of x(t) at TIMES for x(T) ~ p_T, transported by the field from T down through TIMES; returns
     * [time][mean_0, mean_1, var_0, var_1, se(mean_0), se(mean_1), se(var_0), se(var_1)] with standard errors
     * sd / sqrt(N) for the means and sqrt((m4 - var^2) / N) (empirical fourth central moment) for the variances.
     */
    private double[][] momentsAlong(VectorField field) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ORACLE.marginal(SDE.T()).sample(scope, N, 3).toType(DataType.FLOAT64, false);
            OdeSolver solver = new DormandPrince(1e-6, 1e-6, 10_000);
            double[][] moments = new double[TIMES.length][];
            double t = SDE.T();
            for (int i = 0; i < TIMES.length; i++) {
                x = solver.solve(scope, field, x, t, TIMES[i]).state();
                t = TIMES[i];
                NDArray mean = x.mean(new int[] {0});
                NDArray centred = x.sub(mean);
                NDArray variance = centred.square().mean(new int[] {0});
                NDArray fourth = centred.pow(4).mean(new int[] {0});
                double[] m = mean.toDoubleArray();
                double[] v = variance.toDoubleArray();
                double[] m4 = fourth.toDoubleArray();
                moments[i] = new double[] {m[0], m[1], v[0], v[1], Math.sqrt(v[0] / N), Math.sqrt(v[1] / N),
                    Math.sqrt((m4[0] - v[0] * v[0]) / N), Math.sqrt((m4[1] - v[1] * v[1]) / N)};
            }
            return moments;
        }
    }

    /** Largest |moment - exact| / standard error over TIMES, means and variances. */
    private static double worstZ(double[][] moments) {
        double worst = 0;
        for (int i = 0; i < TIMES.length; i++) {
            GaussianMixture marginal = ORACLE.marginal(TIMES[i]);
            double[] exact = {marginal.mean()[0], marginal.mean()[1], marginal.variance()[0], marginal.variance()[1]};
            for (int j = 0; j < 4; j++) {
                worst = Math.max(worst, Math.abs(moments[i][j] - exact[j]) / moments[i][4 + j]);
            }
        }
        return worst;
    }

    /**
     * The lecture's claim: the probability-flow ODE has the same marginals as the SDE. Starting from x(T) ~ p_T, the
     * ODE's x(t) has the oracle marginal's mean and variance at t = 0.6, 0.3, 0.1, 1e-3 within 4 standard errors
     * (N = 4000; 16 comparisons, so a false alarm has probability ~ 1e-3). The negative control: dropping the factor
     * 1/2 (transporting by the reverse-SDE drift f - g^2 s without its noise) misses the variances by far more.
     */
    @Test
    void probabilityFlowHasTheMarginalsOfTheSde() {
        double z = worstZ(momentsAlong(FLOW.field()));
        assertTrue(z < 4, "worst |moment - exact| / se = " + z);
        double control = worstZ(momentsAlong(FLOW.reverse()::drift));
        assertTrue(control > 10, "the noiseless reverse drift should miss the marginals; worst z = " + control);
    }

    /**
     * Encoding then decoding reconstructs the data: each solve at rtol = atol = 1e-8 over ~ 100 steps commits at most
     * ~ 100 x 1e-8 = 1e-6 (entries of size ~ 2), so the round trip is within 2e-6.
     */
    @Test
    void encodingThenDecodingReconstructsTheData() {
        NDArray x = DATA.sample(manager, 200, 17).toType(DataType.FLOAT64, false);
        DormandPrince solver = new DormandPrince(1e-8, 1e-8, 10_000);
        Solution latent = FLOW.encode(manager, x, solver);
        Solution back = FLOW.decode(manager, latent.state(), solver, false, (state, t) -> { });
        double error = back.state().sub(x).abs().max().getDouble();
        assertTrue(error < 2e-6, "max reconstruction error " + error);
        assertTrue(latent.state().sub(x).abs().max().getDouble() > 0.5, "the latents must differ from the data");
    }

    /** The optional denoising step is Tweedie's formula at eps, applied once more to x(eps): one more evaluation. */
    @Test
    void denoisingAddsTweediesStep() {
        NDArray latent = SDE.samplePrior(manager, 50, 2, 4).toType(DataType.FLOAT64, false);
        Heun solver = new Heun(20);
        Solution plain = FLOW.decode(manager, latent, solver, false, (x, t) -> { });
        Solution denoised = FLOW.decode(manager, latent, solver, true, (x, t) -> { });
        assertEquals(plain.nfe() + 1, denoised.nfe());
        double difference = denoised.state().sub(ORACLE.denoise(plain.state(), FLOW.eps())).abs().max().getDouble();
        assertEquals(0, difference, 1e-12);
    }

    /** sample decodes prior draws and leaves exactly its result in the caller's manager. */
    @Test
    void sampleLeavesOnlyItsResult() {
        try (NDManager caller = manager.newSubManager()) {
            Solution solution = FLOW.sample(caller, 30, 5, new Heun(10), true);
            assertEquals(1, caller.getManagedArrays().size());
            assertEquals(2 * 10 + 1, solution.nfe()); // Heun: two per step, plus Tweedie
        }
    }

    /** As an SdeSampler the flow gives the same samples as sample() with the same seed, and reports the solver's NFE. */
    @Test
    void theFlowServesAsAnSdeSampler() {
        try (NDManager caller = manager.newSubManager()) {
            SdeSampler.Result result = ProbabilityFlowOde.sampler(new Heun(10), FLOW.eps(), true).sample(caller, FLOW.reverse(), 30, 5);
            Solution direct = FLOW.sample(caller, 30, 5, new Heun(10), true);
            assertEquals(direct.nfe(), result.scoreEvaluations());
            assertEquals(0, result.samples().sub(direct.state()).abs().max().getFloat(), 0);
        }
    }

    @Test
    void epsMustLieStrictlyInsideTheHorizon() {
        ReverseSde reverse = new ReverseSde(SDE, ORACLE);
        for (double eps : new double[] {0, -0.1, 1.0, 2.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProbabilityFlowOde(reverse, eps));
            assertTrue(e.getMessage().contains("eps"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FLOW.encode(manager, manager.zeros(new ai.djl.ndarray.types.Shape(4, 3)), new Heun(2)));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
    }
}
