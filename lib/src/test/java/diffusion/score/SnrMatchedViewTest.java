package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

class SnrMatchedViewTest {

    @Test
    void theStepHasTheSdesSignalToNoiseRatioAndTheModelIsEvaluatedThere() {
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        VpSde vp = new VpSde(0.1, 20);
        // a stand-in "network" that returns its time argument in every entry
        ScoreModel discrete = ScoreModel.of(new Shape(1, 2, 2), linear, Parameterisation.EPSILON, (x, t) -> x.zerosLike().add(t));
        SnrMatchedView view = new SnrMatchedView(discrete, vp);
        assertTrue(view.kernel() == vp);
        double previous = 0;
        for (double t = 0.01; t < 1; t += 0.01) {
            double k = view.step(t);
            assertTrue(k > previous, "tau(t) increases: " + k + " after " + previous);
            previous = k;
            int lo = (int) Math.floor(k);
            double w = k - lo;
            double snrLo = Math.log(linear.alphaBar(lo) / (1 - linear.alphaBar(lo)));
            double snrHi = Math.log(linear.alphaBar(lo + 1) / (1 - linear.alphaBar(lo + 1)));
            double m = vp.meanScale(t), s = vp.std(t);
            assertEquals(Math.log(m * m / (s * s)), (1 - w) * snrLo + w * snrHi, 1e-9, "matched log-SNR at t = " + t);
            // the linear schedule is Song et al.'s discretisation of this SDE: tau(t) is close to 1000 t
            assertEquals(1000 * t, k, 0.02 * 1000 * t + 1, "tau(" + t + ")");
        }
        assertEquals(1, view.step(0), "t = 0 (infinite SNR) clamps to step 1");
        assertEquals(996.6, view.step(1), 0.1, "at t = T the SDE's SNR is a little above alphaBar_T's: no clamping");
        assertTrue(view.step(1e-3) > 1 && view.step(1e-3) < 1.2, "tau(1e-3) = " + view.step(1e-3));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(3, 1, 2, 2));
            assertEquals((float) view.step(0.5), view.output(x, 0.5).getFloat(0, 0, 0, 0), 1e-3);
            assertEquals(new Shape(1, 2, 2), view.sampleShape());
        }
    }

    /**
     * ROUNDED hands the model round(tau(t)), INTERPOLATED tau(t) (a stand-in network returning its time input), on a
     * grid of N = 2000 uniform steps over the T = 1000 chain. The chain's exact oracle is defined on integer steps only:
     * INTERPOLATED refuses it at a fractional step, ROUNDED serves it: its eps is the chain's eps* at round(tau(t)) exactly,
     * and on x ~ p_t it is within 5% (relative to max |eps|) of the VP SDE's exact eps at t, the chain's oracle being at
     * most half a step off the SDE's noise level (the largest gaps are at low noise, where half a step changes
     * s^2 = 1 - alphaBar by a few per cent).
     */
    @Test
    void roundedViewHandsTheNearestStepToAModelOfIntegerSteps() {
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        VpSde vp = new VpSde(0.1, 20);
        ScoreModel clock = ScoreModel.of(new Shape(2), linear, Parameterisation.EPSILON, (x, t) -> x.zerosLike().add(t));
        SnrMatchedView interpolated = new SnrMatchedView(clock, vp);
        SnrMatchedView rounded = new SnrMatchedView(clock, vp, SnrMatchedView.StepInput.ROUNDED);
        assertEquals(SnrMatchedView.StepInput.INTERPOLATED, interpolated.input());
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle chain = new GaussianMixtureOracle(data, linear);
        ScoreModel chainEps = ScoreModel.of(chain.sampleShape(), linear, Parameterisation.EPSILON, chain::epsilon); // eps* of the chain
        SnrMatchedView oracleView = new SnrMatchedView(chainEps, vp, SnrMatchedView.StepInput.ROUNDED);
        GaussianMixtureOracle exact = new GaussianMixtureOracle(data, vp);
        TimeGrid grid = TimeGrid.uniform(vp, 2000, 1e-3);
        int shared = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray probe = manager.zeros(new Shape(4, 2));
            for (int k = 0; k <= grid.steps(); k++) {
                double t = grid.time(k);
                double tau = interpolated.step(t);
                assertEquals(Math.rint(tau), rounded.modelTime(t));
                assertEquals(Math.rint(tau), rounded.output(probe, t).getFloat(0, 0), 1e-3);
                assertEquals(tau, interpolated.modelTime(t), 0);
                assertTrue(Math.abs(rounded.modelTime(t) - tau) <= 0.5);
                if (k > 0 && rounded.modelTime(t) == rounded.modelTime(grid.time(k - 1))) {
                    shared++;
                }
                if (k % 100 == 0) {
                    NDArray x = exact.marginal(t).sample(manager, 200, k);
                    NDArray eps = oracleView.epsilon(x, t);
                    assertEquals(0, eps.sub(chain.epsilon(x, Math.rint(tau))).abs().max().getFloat(), 0, "t = " + t);
                    double gap = eps.sub(exact.epsilon(x, t)).abs().max().getFloat() / eps.abs().max().getFloat();
                    assertTrue(gap <= 0.05, "t = " + t + ": relative gap " + gap);
                }
            }
            assertTrue(shared >= 900, shared + " consecutive grid times share a rounded step");
            SnrMatchedView fractional = new SnrMatchedView(chainEps, vp);
            assertThrows(IllegalArgumentException.class, () -> fractional.epsilon(probe, grid.time(1)));
        }
        assertThrows(IllegalArgumentException.class, () -> new SnrMatchedView(clock, vp, null));
    }

    @Test
    void refusesAModelOfAnSdeAnotherParameterisationAndAKernelThatIsNotVariancePreserving() {
        NoiseSchedule linear = NoiseSchedule.linear(100);
        VpSde vp = new VpSde(0.1, 20);
        ScoreModel ofSde = ScoreModel.of(new Shape(2), vp, Parameterisation.EPSILON, (x, t) -> x);
        assertThrows(IllegalArgumentException.class, () -> new SnrMatchedView(ofSde, vp));
        ScoreModel x0 = ScoreModel.of(new Shape(2), linear, Parameterisation.X0, (x, t) -> x);
        assertThrows(IllegalArgumentException.class, () -> new SnrMatchedView(x0, vp));
        ScoreModel eps = ScoreModel.of(new Shape(2), linear, Parameterisation.EPSILON, (x, t) -> x);
        var e = assertThrows(IllegalArgumentException.class, () -> new SnrMatchedView(eps, new VeSde(0.01, 50)));
        assertTrue(e.getMessage().contains("variance preserving"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SnrMatchedView(eps, new SubVpSde(0.1, 20)));
    }
}
