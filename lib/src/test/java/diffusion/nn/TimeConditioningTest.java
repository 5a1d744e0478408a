package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.ode.DormandPrince;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import diffusion.train.EpsTrainer;
import diffusion.train.TrainingConfig;
import org.junit.jupiter.api.Test;

class TimeConditioningTest {

    private static final VpSde VP = new VpSde(0.1, 20);
    private static final double T_MIN = 1e-3;

    /** A discrete chain's network reads its step unchanged, row by row too (bit for bit, in t's type). */
    @Test
    void kernelTimeIsTheStepItself() {
        assertEquals(37.0, TimeConditioning.KERNEL_TIME.input(37));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new float[] {1, 2, 500, 1000});
            NDArray tau = TimeConditioning.KERNEL_TIME.input(t);
            assertEquals(DataType.FLOAT32, tau.getDataType());
            assertArrayEquals(t.toFloatArray(), tau.toFloatArray());
        }
    }

    /** tau = log(s(t) / m(t)); for the VE SDE, whose sigma is geometric in t, that is log sigma_min + t log(sigma_max / sigma_min). */
    @Test
    void logSigmaIsTheKernelsLogNoiseLevel() {
        TimeConditioning vp = TimeConditioning.logSigma(VP);
        for (double t : new double[] {T_MIN, 0.1, 0.5, 1}) {
            assertEquals(Math.log(VP.std(t) / VP.meanScale(t)), vp.input(t), 1e-12, "VP at t = " + t);
        }
        TimeConditioning ve = TimeConditioning.logSigma(new VeSde(0.01, 10));
        for (double t : new double[] {0, 0.3, 1}) {
            assertEquals(Math.log(0.01) + t * Math.log(1000), ve.input(t), 1e-12, "VE at t = " + t);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tau = vp.input(m.create(new float[] {0.001f, 0.25f, 1}));
            assertEquals(new Shape(3), tau.getShape());
            assertArrayEquals(new float[] {(float) vp.input(0.001f), (float) vp.input(0.25f), (float) vp.input(1)}, tau.toFloatArray());
        }
    }

    @Test
    void logSigmaRefusesATimeWithoutNoise() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeConditioning.logSigma(VP).input(0));
        assertTrue(e.getMessage().contains("sigma(t = 0.0) = 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimeConditioning.logSigma(null));
    }

    /**
     * An eps-MLP (64 x 2, embedding 16) trained by EpsTrainer under the VP SDE on the eight Gaussians (2000 steps of 256,
     * seeded; a few seconds) against the exact eps of GaussianMixtureOracle:
     * <ul>
     *   <li>accuracy: E ||eps_theta - eps*||^2 / d over p_t, averaged over 50 times in [tMin, 1], below 0.015, an RMS
     *   error of about 0.12 for noise of unit variance (measured 0.0099 with tau = log sigma, 0.0100-0.0110 over other
     *   seeds; 0.011 with the former 1000 t). Most of it comes from t &lt; 0.2, where eps* varies on the scale of a mode.</li>
     *   <li>roughness: the total variation of eps_theta(x, t) along 1000 times in [0.05, 1] (a step of 1e-3, a sixth of
     *   the period 2 pi / 1000 of the former embedding's top frequency) at 8 fixed x drawn from p_0.5, at most twice the
     *   oracle's. Measured 0.6 times the oracle's with log sigma; about 11 times with 1000 t, whose top frequency made the
     *   learned field oscillate about 150 times over [0, 1]. Below t = 0.05 the exact eps at a fixed x off the modes
     *   grows like 1 / s(t), which a network fitted on typical x_t need not follow.</li>
     *   <li>cost: Dormand-Prince at rtol = atol = 1e-5 decodes 200 latents with at most twice the oracle's NFE
     *   (measured 92-104 against the oracle's 80; 902 with 1000 t).</li>
     * </ul>
     */
    @Test
    void aNetworkConditionedOnTheLogNoiseLevelIsAccurateAndSmoothInTime() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, VP);
        try (NDManager m = NDManager.newBaseManager()) {
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 64, 2, 16), VP, T_MIN, new TrainingConfig(2000, 256, 2e-3, 0.99, 42, 2000, null));
            trainer.train(data.sample(m, 20_000, 1));
            ScoreModel network = trainer.scoreModel();

            int times = 50;
            double error = 0;
            for (int k = 0; k < times; k++) {
                double t = T_MIN + (VP.T() - T_MIN) * (k + 0.5) / times;
                try (NDManager scope = m.newSubManager()) {
                    NDArray x = oracle.marginal(t).sample(scope, 1000, 100 + k);
                    error += network.epsilon(x, t).sub(oracle.epsilon(x, t)).square().sum(new int[] {1}).mean().getFloat() / 2 / times;
                }
            }
            assertTrue(error < 0.015, "mean squared eps error per dimension " + error + " over t in [tMin, 1]");

            NDArray probes = oracle.marginal(0.5).sample(m, 8, 7);
            double roughness = totalVariationInTime(network, probes, 0.05, 1, 1000);
            double exact = totalVariationInTime(oracle, probes, 0.05, 1, 1000);
            assertTrue(roughness <= 2 * exact, "total variation in t of eps_theta " + roughness + ", of the exact eps " + exact);

            NDArray latents = Noise.seeded(8).normal(m, new Shape(200, 2));
            ProbabilityFlow flow = new ProbabilityFlow(DormandPrince.withTolerance(1e-5), ProbabilityFlow.Time.T);
            TimeGrid ends = TimeGrid.uniform(VP, 1, T_MIN);
            int nfe = flow.decode(m, network, ends, latents, Monitor.quiet()).nfe();
            int oracleNfe = flow.decode(m, oracle, ends, latents.toType(DataType.FLOAT64, false), Monitor.quiet()).nfe();
            assertTrue(nfe <= 2 * oracleNfe, "Dormand-Prince NFE " + nfe + " with the network, " + oracleNfe + " with the oracle");
        }
    }

    /** sum_k |eps(x, t_{k+1}) - eps(x, t_k)|_1 over a uniform grid of n times in [from, to], averaged over the rows of x. */
    private static double totalVariationInTime(ScoreModel model, NDArray x, double from, double to, int n) {
        double variation = 0;
        double[] previous = null;
        for (int k = 0; k < n; k++) {
            double t = from + (to - from) * k / (n - 1);
            double[] eps = model.epsilon(x, t).toType(DataType.FLOAT64, false).toDoubleArray();
            for (int j = 0; previous != null && j < eps.length; j++) {
                variation += Math.abs(eps[j] - previous[j]);
            }
            previous = eps;
        }
        return variation / x.getShape().get(0);
    }
}
