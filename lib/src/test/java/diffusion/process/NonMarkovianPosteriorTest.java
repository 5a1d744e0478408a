package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.Timesteps;
import diffusion.sde.VeSde;
import org.junit.jupiter.api.Test;

class NonMarkovianPosteriorTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    /**
     * The non-Markovian process q_lambda keeps q(x_t | x_0): from a fixed x_0, x_T ~ q(x_T | x_0) and backward draws
     * x_{t-1} ~ q_lambda(x_{t-1} | x_t, x_0) on a 10-step sub-schedule have mean sqrt(alphaBar_t) x_0 and variance
     * 1 - alphaBar_t at every step, for eta = 0, 0.5, 1 (tolerance 5 Monte Carlo standard errors, n = 20000). A
     * process that forgets to subtract lambda^2 from the noise coefficient is caught (power check).
     */
    @Test
    void theNonMarkovianForwardProcessKeepsTheMarginals() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        NoiseSchedule sub = steps.subSchedule();
        int n = 20_000;
        double[] point = {0.7, -1.2};
        for (double eta : new double[] {0.0, 0.5, 1.0}) {
            NonMarkovianPosterior posterior = new NonMarkovianPosterior(sub, eta);
            try (NDManager m = manager.newSubManager()) {
                Noise noise = Noise.seeded(5);
                NDArray x0 = m.create(new float[][] {{(float) point[0], (float) point[1]}}).repeat(0, n);
                int K = sub.T();
                NDArray x = x0.mul(Math.sqrt(sub.alphaBar(K))).add(noise.normal(m, x0.getShape()).mul(Math.sqrt(1 - sub.alphaBar(K))));
                double worstVarianceRatio = 1;
                for (int t = K; t >= 2; t--) {
                    NDArray z = noise.normal(m, x0.getShape());
                    NDArray wrong = x.add(0); // the broken variant: mean with sqrt(1 - alphaBar_{t-1}) and noise lambda z on top
                    x = posterior.sample(x, x0, t, t - 1, z);
                    double variance = 1 - sub.alphaBar(t - 1);
                    for (int j = 0; j < 2; j++) {
                        assertEquals(Math.sqrt(sub.alphaBar(t - 1)) * point[j], MonteCarlo.mean(x, j), 5 * MonteCarlo.meanError(variance, n),
                                "eta = " + eta + ": mean at t = " + (t - 1));
                        assertEquals(variance, MonteCarlo.variance(x, j), 5 * MonteCarlo.varianceError(variance, n),
                                "eta = " + eta + ": variance at t = " + (t - 1));
                    }
                    NDArray eps = wrong.sub(x0.mul(Math.sqrt(sub.alphaBar(t)))).div(Math.sqrt(1 - sub.alphaBar(t)));
                    NDArray broken = x0.mul(Math.sqrt(sub.alphaBar(t - 1))).add(eps.mul(Math.sqrt(variance)))
                            .add(z.mul(Math.sqrt(posterior.lambdaSquared(t, t - 1))));
                    worstVarianceRatio = Math.max(worstVarianceRatio, MonteCarlo.variance(broken, 0) / variance);
                }
                if (eta > 0) {
                    assertTrue(worstVarianceRatio > 1 + 10 * Math.sqrt(2.0 / n), "eta = " + eta + ": the broken process inflates the variance ("
                            + worstVarianceRatio + ")");
                }
            }
        }
    }

    /**
     * On consecutive steps of a schedule the chain's step variance b^2(t, t - 1) is beta_t and the posterior variance
     * betaTilde(t, t - 1) is betaTilde_t; between any s &lt; t, b^2 = 1 - alphaBar_t / alphaBar_s (DDPM's respaced
     * beta). To 1e-10 relative: double arithmetic, with the cancellation in s_t^2 - (m_t / m_s)^2 s_s^2 costing up to
     * 1 / beta_t ~ 1e4 in relative precision.
     */
    @Test
    void onConsecutiveStepsTheVariancesAreBetaAndBetaTilde() {
        for (int t : new int[] {1, 2, 10, 500, 1000}) {
            assertEquals(SCHEDULE.beta(t), NonMarkovianPosterior.forwardVariance(SCHEDULE, t, t - 1), 1e-10 * SCHEDULE.beta(t), "b^2 at t = " + t);
            assertEquals(SCHEDULE.betaTilde(t), NonMarkovianPosterior.posteriorVariance(SCHEDULE, t, t - 1), 1e-10 * SCHEDULE.beta(t),
                    "betaTilde at t = " + t);
        }
        double respaced = 1 - SCHEDULE.alphaBar(700) / SCHEDULE.alphaBar(300);
        assertEquals(respaced, NonMarkovianPosterior.forwardVariance(SCHEDULE, 700, 300), 1e-12);
        NonMarkovianPosterior half = new NonMarkovianPosterior(SCHEDULE, 0.5);
        assertEquals(0.25 * NonMarkovianPosterior.posteriorVariance(SCHEDULE, 700, 300), half.lambdaSquared(700, 300), 1e-15);
        assertEquals(Math.sqrt(1 - SCHEDULE.alphaBar(300) - half.lambdaSquared(700, 300)), half.noiseCoefficient(700, 300), 1e-12);
        // on a VE kernel (m = 1): b^2 = sigma_t^2 - sigma_s^2, the SMLD step
        VeSde ve = new VeSde(0.01, 50);
        assertEquals(ve.sigma(0.6) * ve.sigma(0.6) - ve.sigma(0.4) * ve.sigma(0.4), NonMarkovianPosterior.forwardVariance(ve, 0.6, 0.4), 1e-12);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new NonMarkovianPosterior(SCHEDULE, -0.1));
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class, () -> new NonMarkovianPosterior(SCHEDULE, 1.5));
        assertTrue(above.getMessage().contains("eta = 1.5"), above.getMessage());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> NonMarkovianPosterior.forwardVariance(SCHEDULE, 5, 5));
        assertTrue(order.getMessage().contains("s < t"), order.getMessage());
    }
}
