package diffusion.sample;

import diffusion.schedule.Timesteps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

class DdimSamplerTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    /** Uniform and quadratic spacings are strictly increasing, start at 1, end at T, and K = T gives every step. */
    @Test
    void spacingsAreIncreasingSequencesFromOneToT() {
        for (Timesteps steps : new Timesteps[] {Timesteps.uniform(SCHEDULE, 10), Timesteps.quadratic(SCHEDULE, 10),
                Timesteps.quadratic(SCHEDULE, 200), Timesteps.uniform(SCHEDULE, 37)}) {
            assertEquals(1, steps.tau(1), steps + " starts at 1");
            assertEquals(SCHEDULE.T(), steps.tau(steps.K()), steps + " ends at T");
            for (int k = 1; k <= steps.K(); k++) {
                assertTrue(steps.tau(k) > steps.tau(k - 1), steps + " increases at k = " + k);
                assertEquals(SCHEDULE.alphaBar(steps.tau(k)), steps.subSchedule().alphaBar(k), 1e-12, "alphaBar'_k = alphaBar_{tau_k}");
            }
        }
        assertArrayEquals(new int[] {1, 112, 223, 334, 445, 556, 667, 778, 889, 1000}, Timesteps.uniform(SCHEDULE, 10).steps());
        assertArrayEquals(new int[] {1, 13, 50, 112, 198, 309, 445, 605, 790, 1000}, Timesteps.quadratic(SCHEDULE, 10).steps());
        assertEquals(SCHEDULE.T(), Timesteps.full(SCHEDULE).K());
        assertEquals(3, Timesteps.quadratic(NoiseSchedule.linear(3), 3).tau(3), "the increasing repair keeps K = T valid");
    }

    /**
     * DDIM with eta = 1 on the full sequence is DDPM with sigma_t^2 = betaTilde_t: the same seed gives the same
     * samples. The two means are algebraically equal but computed differently in float32, so they agree to 1e-3
     * (rounding of order 1e-7 per step, accumulated over 100 steps and divided by sqrt(alpha_t) each time), not bitwise.
     */
    @Test
    void etaOneOnEveryStepIsDdpmWithBetaTilde() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule);
        try (NDManager m = manager.newSubManager()) {
            NDArray ddim = new DdimSampler(Timesteps.full(schedule), 1.0).sample(m, oracle, 500, 21);
            NDArray ddpm = new DdpmSampler(schedule, DdpmVariance.BETA_TILDE).sample(m, oracle, 500, 21);
            double difference = ddim.sub(ddpm).abs().max().getFloat();
            assertTrue(difference < 1e-3, "max |DDIM(eta=1) - DDPM(betaTilde)| = " + difference);
            NDArray deterministic = new DdimSampler(Timesteps.full(schedule), 0.0).sample(m, oracle, 500, 21);
            assertTrue(deterministic.sub(ddpm).abs().max().getFloat() > 0.1, "eta = 0 is a different sampler (power check)");
        }
    }

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
                Environment.seed(5);
                NDArray x0 = m.create(new float[][] {{(float) point[0], (float) point[1]}}).repeat(0, n);
                int K = sub.T();
                NDArray x = x0.mul(Math.sqrt(sub.alphaBar(K))).add(m.randomNormal(x0.getShape()).mul(Math.sqrt(1 - sub.alphaBar(K))));
                double worstVarianceRatio = 1;
                for (int t = K; t >= 2; t--) {
                    NDArray z = m.randomNormal(x0.getShape());
                    NDArray wrong = x.add(0); // the broken variant: mean with sqrt(1 - alphaBar_{t-1}) and noise lambda z on top
                    x = posterior.sample(x, x0, t, z);
                    double variance = 1 - sub.alphaBar(t - 1);
                    for (int j = 0; j < 2; j++) {
                        assertEquals(Math.sqrt(sub.alphaBar(t - 1)) * point[j], MonteCarlo.mean(x, j), 5 * MonteCarlo.meanError(variance, n),
                                "eta = " + eta + ": mean at t = " + (t - 1));
                        assertEquals(variance, MonteCarlo.variance(x, j), 5 * MonteCarlo.varianceError(variance, n),
                                "eta = " + eta + ": variance at t = " + (t - 1));
                    }
                    NDArray eps = wrong.sub(x0.mul(Math.sqrt(sub.alphaBar(t)))).div(Math.sqrt(1 - sub.alphaBar(t)));
                    NDArray broken = x0.mul(Math.sqrt(sub.alphaBar(t - 1))).add(eps.mul(Math.sqrt(variance)))
                            .add(z.mul(Math.sqrt(posterior.lambdaSquared(t))));
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
     * Inversion then decoding with eta = 0 reconstructs the data, with an error that shrinks as K grows (both are
     * Euler discretisations of the same probability-flow ODE): on eight Gaussians with the exact score, the mean
     * reconstruction error falls at each of K = 10, 50, 200, 1000 and is below 0.01 at K = 1000 (the data have unit
     * variance per coordinate).
     */
    @Test
    void inversionThenDecodingReconstructsWithAnErrorThatShrinksWithK() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);
        double previous = Double.POSITIVE_INFINITY;
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = Toy2D.eightGaussians().sample(m, 200, 3);
            for (int K : new int[] {10, 50, 200, 1000}) {
                try (NDScope scope = new NDScope()) {
                    DdimSampler sampler = new DdimSampler(Timesteps.uniform(SCHEDULE, K), 0.0);
                    NDArray latent = sampler.invert(m, oracle, x0);
                    NDArray back = sampler.decode(m, oracle, latent);
                    double error = back.sub(x0).norm(new int[] {1}).mean().getFloat();
                    assertTrue(error < previous, "K = " + K + ": error " + error + " not below " + previous);
                    previous = error;
                }
            }
        }
        assertTrue(previous < 0.01, "K = 1000: mean reconstruction error " + previous);
    }

    /** Inverting the data gives latents distributed like N(0, I): per-coordinate variance 1 within 5 standard errors plus the K = 1000 discretisation. */
    @Test
    void invertedDataLookLikeStandardNormalLatents() {
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0.5, -0.5}, new double[] {0.3, 2.0});
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        int n = 5000;
        try (NDManager m = manager.newSubManager()) {
            NDArray latent = new DdimSampler(Timesteps.uniform(SCHEDULE, 100), 0.0).invert(m, oracle, data.sample(m, n, 4));
            // the exact flow maps N(mu, v) to N(sqrt(aBar_T) mu, aBar_T v + 1 - aBar_T) at t = T
            for (int j = 0; j < 2; j++) {
                double expected = SCHEDULE.alphaBar(1000) * data.variances()[0][j] + 1 - SCHEDULE.alphaBar(1000);
                assertEquals(expected, MonteCarlo.variance(latent, j), 5 * MonteCarlo.varianceError(expected, n), "Var of latent " + j);
            }
        }
    }

    /** slerp keeps the endpoints, and between orthogonal unit vectors it stays on the unit circle (to float precision). */
    @Test
    void slerpInterpolatesOnTheSphere() {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.create(new float[][] {{1, 0}, {2, 0}});
            NDArray b = m.create(new float[][] {{0, 1}, {4, 0}});
            assertArrayEquals(a.toFloatArray(), Slerp.interpolate(a, b, 0).toFloatArray(), 1e-6f);
            assertArrayEquals(b.toFloatArray(), Slerp.interpolate(a, b, 1).toFloatArray(), 1e-6f);
            NDArray half = Slerp.interpolate(a, b, 0.5);
            float r = (float) Math.sqrt(0.5);
            assertArrayEquals(new float[] {r, r, 3, 0}, half.toFloatArray(), 1e-6f, "orthogonal: on the circle; parallel: the straight line");
        }
    }

    @Test
    void badInputIsRejectedBeforeAnyWork() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);
        assertMessage("steps", () -> Timesteps.of(SCHEDULE));
        assertMessage("strictly increasing", () -> Timesteps.of(SCHEDULE, 1, 5, 5));
        assertMessage("strictly increasing", () -> Timesteps.of(SCHEDULE, 10, 3));
        assertMessage("steps[1]", () -> Timesteps.of(SCHEDULE, 1, 1001));
        assertMessage("K", () -> Timesteps.uniform(SCHEDULE, 0));
        assertMessage("K", () -> Timesteps.quadratic(SCHEDULE, 1001));
        assertMessage("eta", () -> new DdimSampler(Timesteps.uniform(SCHEDULE, 10), -0.1));
        assertMessage("eta", () -> new DdimSampler(Timesteps.uniform(SCHEDULE, 10), 1.5));
        try (NDManager m = manager.newSubManager()) {
            NDArray threeD = m.zeros(new ai.djl.ndarray.types.Shape(4, 3));
            DdimSampler sampler = new DdimSampler(Timesteps.uniform(SCHEDULE, 10), 0.0);
            assertMessage("x0", () -> sampler.invert(m, oracle, threeD));
            assertMessage("xT", () -> sampler.decode(m, oracle, threeD));
            assertMessage("n", () -> sampler.sample(m, oracle, 0, 1));
            assertMessage("timesteps", () -> sampler.invert(m, new GaussianMixtureOracle(Toy2D.eightGaussians(), NoiseSchedule.linear(1000)),
                    m.zeros(new ai.djl.ndarray.types.Shape(4, 2))));
        }
    }

    private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(name), "message names " + name + ": " + e.getMessage());
    }
}
