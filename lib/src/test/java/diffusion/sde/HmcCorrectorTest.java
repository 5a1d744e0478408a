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
import diffusion.metrics.ModeWeights;
import diffusion.metrics.MonteCarlo;
import diffusion.sample.LangevinStep;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

/**
 * The HMC corrector: one leapfrog step is the Langevin step of size h^2 / 2 (alone and inside the sampler), a
 * corrector-only chain at a fixed time leaves a Gaussian invariant up to Monte Carlo error, predictor-corrector with it
 * recovers a mixture's mode weights, and bad settings are refused naming the argument.
 */
class HmcCorrectorTest extends ManagedTest {

    private static final VpSde VP = new VpSde(0.1, 20);
    private static final double EPS = 1e-3;
    private static final double[] MU = {1.5, -0.5};
    private static final double[] V = {0.25, 2.0};
    private static final GaussianMixtureOracle GAUSSIAN = new GaussianMixtureOracle(GaussianMixture.gaussian(MU, V), VP);

    /**
     * x + h (p + (h/2) s) = x + (h^2/2) s + sqrt(2 h^2/2) p: the leapfrog step with L = 1 against LangevinStep with
     * epsilon = h^2/2 for a fixed h, then whole runs (corrector only, and with the reverse-diffusion predictor) of HMC
     * (r = 0.16, M = 2, L = 1) against the Langevin corrector (r = 0.16, M = 2) on the same noise: equal to float32
     * rounding (1e-5 on states of size about 3 after 20 levels), with the same NFE.
     */
    @Test
    void oneLeapfrogStepIsTheLangevinStep() {
        NDArray x = Noise.seeded(1).normal(manager, new Shape(500, 2)).mul(2);
        NDArray p = Noise.seeded(2).normal(manager, new Shape(500, 2));
        double t = 0.3, h = 0.17;
        NDArray score = GAUSSIAN.score(x, t);
        NDArray leapfrog = HmcCorrector.snr(0.16, 1, 1).leapfrog(GAUSSIAN, x, score, p, h, t);
        NDArray langevin = LangevinStep.step(x, score, p, h * h / 2);
        assertEquals(0, leapfrog.sub(langevin).abs().max().getFloat(), 1e-6);

        TimeGrid grid = TimeGrid.uniform(VP, 20, EPS);
        LangevinCorrector rule = LangevinCorrector.snr(0.16, 2);
        HmcCorrector hmc = HmcCorrector.snr(0.16, 2, 1);
        assertEquals(Math.sqrt(2 * rule.stepSize(score, p, 0.9, t, grid)), hmc.leapfrogStep(score, p, 0.9, t, grid), 1e-12);
        for (Predictor predictor : new Predictor[] {Predictor.NONE, Predictor.REVERSE_DIFFUSION}) {
            try (NDManager m = manager.newSubManager()) {
                Sampler.Result a = run(m, predictor, hmc, grid);
                Sampler.Result b = run(m, predictor, rule, grid);
                assertEquals(0, a.samples().sub(b.samples()).abs().max().getFloat(), 1e-5, predictor + ": HMC L = 1 vs Langevin");
                assertEquals(b.nfe(), a.nfe());
            }
        }
    }

    /**
     * N(m mu, m^2 V + s^2) per coordinate at t = 0.1 (m^2 = 0.896; variances 0.328 and 1.896) is the law of x_t;
     * started from an exact sample of 20000 points, 200 HMC moves at t (r = 0.05, L = 1, 3, 5) keep each coordinate's
     * mean within 3 SE (SE = sqrt(v / n)) and its variance within 3 SE + 1% (SE = v sqrt(2 / n), 1%) of the exact
     * values: without a Metropolis step the chain's own stationary law is off by O(h^2), about epsilon / (2 v) &lt;= 0.5%
     * of the variance at this step (epsilon = 2 r^2 (E||z|| / E||s||)^2 ~ 1.1 r^2). Power: with r = 0.5 the same
     * check fails on the variance.
     */
    @Test
    void aCorrectorOnlyChainLeavesTheGaussianInvariant() {
        double t = 0.1;
        GaussianMixture law = GAUSSIAN.marginal(t);
        int n = 20000;
        for (int leapfrogSteps : new int[] {1, 3, 5}) {
            double[][] moments = chainMoments(HmcCorrector.snr(0.05, 1, leapfrogSteps), t, n, 200);
            for (int j = 0; j < 2; j++) {
                double mean = law.mean()[j], v = law.variance()[j];
                String what = "L = " + leapfrogSteps + ", coordinate " + j;
                assertEquals(mean, moments[0][j], 3 * MonteCarlo.meanError(v, n), what + ": mean");
                assertEquals(v, moments[1][j], 3 * MonteCarlo.varianceError(v, n) + 0.01 * v, what + ": variance");
            }
        }
        double[][] coarse = chainMoments(HmcCorrector.snr(0.5, 1, 5), t, n, 200);
        double v = law.variance()[0];
        assertTrue(Math.abs(coarse[1][0] - v) > 3 * MonteCarlo.varianceError(v, n) + 0.01 * v, "power: r = 0.5 variance " + coarse[1][0] + " vs " + v);
    }

    /** [mean, variance][coordinate] after moves corrector moves at fixed t (alpha = 1) from n exact draws of p_t. */
    private static double[][] chainMoments(HmcCorrector corrector, double t, int n, int moves) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = GAUSSIAN.marginal(t).sample(m, n, 11);
            Noise noise = Noise.seeded(12);
            TimeGrid grid = TimeGrid.uniform(VP, 10, EPS);
            for (int k = 0; k < moves; k++) {
                try (NDManager scope = m.newSubManager()) {
                    x.attach(scope);
                    NDArray next = corrector.move(GAUSSIAN, x, 1, t, grid, noise);
                    next.attach(m);
                    x = next;
                }
            }
            return new double[][] {{MonteCarlo.mean(x, 0), MonteCarlo.mean(x, 1)}, {MonteCarlo.variance(x, 0), MonteCarlo.variance(x, 1)}};
        }
    }

    /**
     * Three modes of weights 0.2, 0.3, 0.5 (std 0.3, 4 apart): reverse diffusion + HMC (r = 0.16, M = 1, L = 3) with
     * the exact oracle, 100 uniform steps down to 1e-3 under VP, 4000 samples: the mode-weight error (total variation of
     * the nearest-mode fractions) is below 0.04, about four times its sampling noise for exact draws
     * (1/2 sum_k sqrt(2/pi) sqrt(w_k (1 - w_k) / n) = 0.009).
     */
    @Test
    void predictorCorrectorWithHmcGetsTheModeWeights() {
        double[] weights = {0.2, 0.3, 0.5};
        double[][] means = {{-2, 0}, {2, 0}, {0, 2 * Math.sqrt(3) - 2}};
        GaussianMixture modes = GaussianMixture.isotropic(weights, means, 0.3);
        PredictorCorrector sampler = PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, HmcCorrector.snr(0.16, 1, 3));
        try (NDManager m = manager.newSubManager()) {
            Sampler.Result result = sampler.thenDenoise().sample(m, new GaussianMixtureOracle(modes, VP), TimeGrid.uniform(VP, 100, EPS),
                    Noise.seeded(5), Monitor.quiet(), 4000);
            assertEquals(100 * (1 + 3) + 1, result.nfe(), "NFE = N (1 + M L) + the denoising step");
            double error = ModeWeights.error(result.samples(), means, weights);
            assertTrue(error < 0.04, "mode-weight error " + error);
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheArgument() {
        rejects("snr", () -> HmcCorrector.snr(0, 1, 3));
        rejects("snr", () -> HmcCorrector.snr(-0.1, 1, 3));
        rejects("snr", () -> HmcCorrector.snr(Double.NaN, 1, 3));
        rejects("epsilon", () -> HmcCorrector.annealed(0, 1, 3));
        rejects("steps", () -> HmcCorrector.snr(0.16, 0, 3));
        rejects("leapfrogSteps", () -> HmcCorrector.snr(0.16, 1, 0));
        rejects("leapfrogSteps", () -> HmcCorrector.snr(0.16, 1, -2));
        rejects("leapfrogSteps", () -> HmcCorrector.snr(0.16, 1, Integer.MAX_VALUE));
        rejects("leapfrogSteps", () -> HmcCorrector.snr(0.16, 1 << 16, 1 << 16)); // M L = 2^32 evaluations per level
        NDArray x = manager.zeros(new Shape(4, 2));
        HmcCorrector hmc = HmcCorrector.snr(0.16, 1, 2);
        rejects("h", () -> hmc.leapfrog(GAUSSIAN, x, x, x, 0, 0.5));
        rejects("h", () -> hmc.leapfrog(GAUSSIAN, x, x, x, -0.1, 0.5));
        rejects("h", () -> hmc.leapfrog(GAUSSIAN, x, x, x, Double.NaN, 0.5));
        rejects("steps", () -> PredictorCorrector.correctorOnly(HmcCorrector.snr(0.16, 1 << 12, 1 << 12))
                .run(manager, GAUSSIAN, TimeGrid.uniform(VP, 200, EPS), Noise.seeded(1), Monitor.quiet(), x)); // 200 x 2^24 NFE
        assertEquals("HMC (r = 0.16, M = 1, L = 2)", hmc.toString());
        assertEquals("reverse diffusion + HMC (r = 0.16, M = 1, L = 2)", PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, hmc).name());
    }

    private static Sampler.Result run(NDManager m, Predictor predictor, Corrector corrector, TimeGrid grid) {
        PredictorCorrector sampler = predictor == Predictor.NONE ? PredictorCorrector.correctorOnly(corrector) : PredictorCorrector.of(predictor, corrector);
        return sampler.sample(m, GAUSSIAN, grid, Noise.seeded(3), Monitor.quiet(), 300);
    }

    private static void rejects(String parameter, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertTrue(error.getMessage().contains(parameter), "message '" + error.getMessage() + "' should name " + parameter);
    }
}
