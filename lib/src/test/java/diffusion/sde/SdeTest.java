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
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three SDEs: their kernels solve the SDE's moment equations, and their chains, priors and checks. */
class SdeTest extends ManagedTest {

    private static final List<Sde> SDES = List.of(new VeSde(0.01, 10), new VpSde(0.1, 20), new SubVpSde(0.1, 20));

    /**
     * For dx = f(t) x dt + g(t) dw the kernel N(m x_0, s^2 I) has m' = f m and (s^2)' = 2 f s^2 + g^2; central
     * differences with h = 1e-5 agree with both to O(h^2) (relative 1e-6 leaves room for the rounding of s^2 / h).
     */
    @Test
    void theKernelSolvesTheMomentEquations() {
        double h = 1e-5;
        for (Sde sde : SDES) {
            for (double t : new double[] {0.05, 0.3, 0.7, 0.95}) {
                double m = sde.meanScale(t), s2 = sde.std(t) * sde.std(t), g = sde.diffusion(t);
                double mPrime = (sde.meanScale(t + h) - sde.meanScale(t - h)) / (2 * h);
                double s2Prime = (square(sde.std(t + h)) - square(sde.std(t - h))) / (2 * h);
                assertEquals(sde.driftRate(t) * m, mPrime, 1e-6 * (1 + Math.abs(mPrime)), sde.name() + " m' at t = " + t);
                double expected = 2 * sde.driftRate(t) * s2 + g * g;
                assertEquals(expected, s2Prime, 1e-6 * (1 + Math.abs(expected)), sde.name() + " (s^2)' at t = " + t);
            }
        }
    }

    /** The closed forms: VE sigma(t) geometric; VP s^2 = 1 - m^2; sub-VP s = 1 - m^2 with s^2 below the VP variance. */
    @Test
    void theKernelsHaveTheirClosedForms() {
        VeSde ve = new VeSde(0.01, 10);
        assertEquals(0.01, ve.std(0), 1e-15);
        assertEquals(10, ve.std(1), 1e-12);
        assertEquals(Math.sqrt(0.01 * 10), ve.std(0.5), 1e-12);
        VpSde vp = new VpSde(0.1, 20);
        SubVpSde subVp = new SubVpSde(0.1, 20);
        for (double t : new double[] {0.01, 0.2, 0.5, 1}) {
            double m = Math.exp(-0.5 * (0.1 * t + 0.5 * 19.9 * t * t));
            assertEquals(m, vp.meanScale(t), 1e-14);
            assertEquals(m, subVp.meanScale(t), 1e-14);
            assertEquals(1 - m * m, square(vp.std(t)), 1e-14);
            assertEquals(1 - m * m, subVp.std(t), 1e-14);
            assertTrue(square(subVp.std(t)) < square(vp.std(t)), "sub-VP variance below VP at t = " + t);
        }
    }

    /** The SMLD chain is exact on its grid: s(t - dt)^2 + G^2 = s(t)^2 with a = 1. */
    @Test
    void theSmldChainAddsExactlyTheMissingVariance() {
        VeSde ve = new VeSde(0.01, 10);
        Sde.Transition step = ve.discretize(0.6, 0.1);
        assertEquals(1, step.a());
        assertEquals(square(ve.std(0.6)), square(ve.std(0.5)) + square(step.G()), 1e-12);
    }

    /**
     * Every chain step maps the kernel at t - dt to the kernel at t up to O(dt^2) per step: a m(t - dt) = m(t) and
     * a^2 s(t - dt)^2 + G^2 = s(t)^2. Halving dt must cut the one-step error about fourfold (ratio in [3, 5]).
     */
    @Test
    void everyChainStepIsConsistentToSecondOrder() {
        for (Sde sde : SDES) {
            double t = 0.5;
            double[] errors = new double[2];
            for (int k = 0; k < 2; k++) {
                double dt = 0.01 / (1 << k);
                Sde.Transition step = sde.discretize(t, dt);
                double meanError = Math.abs(step.a() * sde.meanScale(t - dt) - sde.meanScale(t));
                double varianceError = Math.abs(square(step.a() * sde.std(t - dt)) + square(step.G()) - square(sde.std(t)));
                errors[k] = Math.max(meanError, varianceError);
            }
            if (errors[0] > 1e-12) { // the SMLD chain is exact: nothing to halve
                double ratio = errors[0] / errors[1];
                assertTrue(ratio > 3 && ratio < 5, sde.name() + ": error ratio " + ratio + " for halved dt, expected about 4");
            }
        }
    }

    /**
     * The kernel's noise reaches the prior's at T, and the signal fades: VP and sub-VP keep m(1)^2 = e^{-10.05} of it
     * (s(1) within 1e-4 of 1), VE keeps all of it under noise sigma_max (signal-to-noise 1 / sigma_max^2).
     */
    @Test
    void theKernelEndsAtThePrior() {
        for (Sde sde : SDES) {
            assertEquals(sde.priorStd(sde.T()), sde.std(sde.T()), 1e-4 * sde.priorStd(sde.T()), sde.name());
        }
        assertEquals(Math.exp(-10.05), square(new VpSde(0.1, 20).meanScale(1)), 1e-15);
        assertEquals(1, new VeSde(0.01, 10).meanScale(1));
    }

    /**
     * priorLogDensity is log N(z; 0, sigma_T^2 I), and a sampler's prior draw (Sampler.sample: x(t_0) = priorStd(t_0) z,
     * z from the noise source) has variance sigma_T^2 = sigma_max^2 = 100 under VE (4 standard errors).
     */
    @Test
    void thePriorSamplesAndDensityMatchNormal() {
        VeSde ve = new VeSde(0.01, 10);
        NDArray z = manager.create(new float[] {1, -2, 3, 0.5f}, new Shape(2, 2));
        float[] logp = ve.priorLogDensity(z).toFloatArray();
        assertEquals(-Math.log(2 * Math.PI * 100) - 5.0 / 200, logp[0], 1e-5);
        assertEquals(-Math.log(2 * Math.PI * 100) - 9.25 / 200, logp[1], 1e-5);
        assertEquals(10, ve.priorStd(ve.T()), 1e-12);
        int n = 20_000;
        Sampler startOnly = new Sampler() { // returns its start: what sample() draws from the prior
            @Override
            public String name() {
                return "start";
            }

            @Override
            public Result run(NDManager m, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
                NDArray copy = start.duplicate();
                copy.attach(m);
                return new Result(copy, 0);
            }
        };
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1}), ve);
        NDArray prior = startOnly.sample(manager, oracle, TimeGrid.uniform(ve, 1, 1e-3), Noise.seeded(7), Monitor.quiet(), n).samples();
        double variance = prior.square().mean().getFloat();
        double standardError = 100 * Math.sqrt(2.0 / (2 * n)); // Var(z^2) = 2 sigma^4 over 2n coordinates
        assertEquals(100, variance, 4 * standardError);
    }

    /** The oracle works under every SDE: its marginal at t is the data diffused by (m(t), s(t)). */
    @Test
    void theOracleDiffusesUnderEverySde() {
        GaussianMixture data = GaussianMixture.gaussian(new double[] {1, -1}, new double[] {0.25, 4});
        for (Sde sde : SDES) {
            GaussianMixture marginal = new GaussianMixtureOracle(data, sde).marginal(0.4);
            double m = sde.meanScale(0.4), s = sde.std(0.4);
            assertEquals(m, marginal.means()[0][0], 1e-12, sde.name());
            assertEquals(m * m * 4 + s * s, marginal.variances()[0][1], 1e-12, sde.name());
        }
    }

    /** The probability-flow velocity is the reverse drift with half the score term: f - g^2 s / 2 versus f - g^2 s. */
    @Test
    void theProbabilityFlowHalvesTheScoreTerm() {
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0.5, 0}, new double[] {1, 1});
        for (Sde sde : SDES) {
            ReverseSde reverse = new ReverseSde(sde, new GaussianMixtureOracle(data, sde));
            NDArray x = manager.create(new float[] {0.3f, -1.2f, 2f, 0.1f}, new Shape(2, 2));
            NDArray forwardDrift = sde.drift(x, 0.3);
            NDArray twice = reverse.probabilityFlow(x, 0.3).mul(2).sub(forwardDrift);
            float[] difference = twice.sub(reverse.drift(x, 0.3)).abs().toFloatArray();
            for (float value : difference) {
                assertEquals(0, value, 1e-4, sde.name());
            }
        }
    }

    @Test
    void badParametersAreRejectedByName() {
        assertMessage("sigma_min", () -> new VeSde(1, 1));
        assertMessage("sigma_min", () -> new VeSde(0, 1));
        assertMessage("beta_min", () -> new VpSde(-0.1, 20));
        assertMessage("beta_min", () -> new SubVpSde(5, 1));
        assertMessage("t = 1.5", () -> new VpSde(0.1, 20).discretize(1.5, 0.1));
        assertMessage("dt", () -> new VeSde(0.01, 1).discretize(0.5, 0));
        assertMessage("beta(t) dt", () -> new VpSde(0.1, 20).discretize(1, 0.5));
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0}, new double[] {1});
        assertMessage("predicts noise", () -> new ReverseSde(new VpSde(0.1, 20), new GaussianMixtureOracle(data, new VpSde(0.1, 20))));
    }

    private static void assertMessage(String fragment, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static double square(double x) {
        return x * x;
    }
}
