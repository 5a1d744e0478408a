package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.DivergedException;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.metrics.MonteCarlo;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.OrnsteinUhlenbeck;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReverseDiffusionMonteCarloTest {

    private static final OrnsteinUhlenbeck OU = OrnsteinUhlenbeck.KERNEL;
    private static final MixtureTarget MIXTURE = MixtureTarget.axes(2, 4.0, 0.5, 1, 2, 3, 4);

    /**
     * Lemma 2 numerically: at points x ~ p_s, the importance-sampling estimate of grad log p_s converges to the exact
     * score of the diffused mixture (the oracle). Over n = 64, 1024, 16384 its RMSE falls monotonically, and from
     * n = 64 to 16384 by at least a factor 4, i.e. at least like n^{-1/4}; the Monte Carlo rate 1/sqrt(n) predicts 16,
     * and the slack covers the pre-asymptotic regime of self-normalised weights at large s (few proposals near the
     * modes). An estimator of the wrong quantity (a sign or normalisation error in Lemma 2) would level off instead.
     */
    @Test
    void importanceSamplingEstimateConvergesToTheDiffusedScore() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(MIXTURE.mixture(), OU);
        try (NDManager m = NDManager.newBaseManager()) {
            for (double s : new double[] {0.1, 0.5, 1.0, 2.0}) {
                NDArray x = oracle.marginal(s).sample(m, 20, 1);
                NDArray exact = oracle.score(x, s);
                Noise noise = Noise.seeded(7);
                double[] errors = new double[3];
                int[] sizes = {64, 1024, 16_384};
                for (int i = 0; i < 3; i++) {
                    errors[i] = rmse(new ImportanceScore(sizes[i]).estimate(MIXTURE, x, s, noise).score(), exact);
                }
                String trace = "s = " + s + ": RMSE at n = 64, 1024, 16384: " + Arrays.toString(errors);
                assertTrue(errors[1] < errors[0] && errors[2] < errors[1], trace);
                assertTrue(errors[2] <= errors[0] / 4, trace);
            }
        }
    }

    /**
     * The inner-chain estimator (MALA on q_s) converges too: its RMSE against the exact score at n = 64 chains is at
     * most half of that at n = 4 (1/sqrt(n) predicts a quarter; the margin covers the bias of 40 inner steps).
     */
    @Test
    void innerChainEstimateConvergesToTheDiffusedScore() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(MIXTURE.mixture(), OU);
        double s = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = oracle.marginal(s).sample(m, 40, 2);
            NDArray exact = oracle.score(x, s);
            Noise noise = Noise.seeded(8);
            double few = rmse(new LangevinScore(4, Langevin.mala(0.02, 40)).estimate(MIXTURE, x, s, noise).score(), exact);
            double many = rmse(new LangevinScore(64, Langevin.mala(0.02, 40)).estimate(MIXTURE, x, s, noise).score(), exact);
            assertTrue(many <= few / 2, "RMSE with 4 chains " + few + ", with 64 chains " + many);
        }
    }

    /**
     * With the exact score on N(mu, diag(v)) every step is linear, x' = A_k x + B_k + sqrt(e^{2 eta} - 1) xi with
     * v_k = -(x - a mu) / (a^2 v + 1 - a^2), a = e^{-s_k}: the chain's exact mean and variance follow a recursion
     * from x_0 ~ N(0, 1). The particles match that recursion within 5 standard errors; the recursion's distance to
     * the target (the discretisation error) halves with eta (first order); and the lecture's line 5 (coefficient
     * e^eta - 1 on v) ends at a variance more than 20 standard errors from the target.
     */
    @Test
    void exactScoreRecoversAGaussianTargetsMeanAndVariance() {
        double[] mean = {1.5, -1.0};
        double[] variance = {0.5, 2.0};
        GaussianMixture gaussian = GaussianMixture.gaussian(mean, variance);
        MixtureTarget target = new MixtureTarget(gaussian);
        double horizon = 4;
        double eta = 0.02;
        int particles = 10_000;
        try (NDManager m = NDManager.newBaseManager()) {
            Run run = new ReverseDiffusionMonteCarlo(horizon, eta, new ExactScore(gaussian)).run(m, target, particles, 11, 0);
            assertEquals(0, run.densityEvaluations() + run.gradientEvaluations(), "the exact score evaluates nothing");
            for (int j = 0; j < 2; j++) {
                double[] chain = chainMoments(mean[j], variance[j], horizon, eta, OU.scoreCoefficient(eta));
                assertEquals(chain[0], MonteCarlo.mean(run.samples(), j), 5 * MonteCarlo.meanError(chain[1], particles), "mean " + j);
                assertEquals(chain[1], MonteCarlo.variance(run.samples(), j), 5 * MonteCarlo.varianceError(chain[1], particles),
                        "variance " + j);
                double bias = Math.abs(chain[1] - variance[j]);
                double halfBias = Math.abs(chainMoments(mean[j], variance[j], horizon, eta / 2, OU.scoreCoefficient(eta / 2))[1] - variance[j]);
                assertEquals(2, bias / halfBias, 0.2, "first-order discretisation error of the variance, coordinate " + j);
                assertTrue(bias < 5 * MonteCarlo.varianceError(variance[j], particles), "discretisation error " + bias + " is below the noise");
                double lecture = chainMoments(mean[j], variance[j], horizon, eta, Math.expm1(eta))[1];
                assertTrue(Math.abs(lecture - variance[j]) > 20 * MonteCarlo.varianceError(variance[j], particles),
                        "lecture's line 5 gives variance " + lecture + " for target variance " + variance[j]);
            }
        }
    }

    /**
     * Mean and variance after floor(T / eta) steps of x' = e^eta x + c v(x) + sqrt(e^{2 eta} - 1) xi with the exact
     * score v of N(mu, var) diffused to s, from x_0 ~ N(0, 1), c the score coefficient.
     */
    private static double[] chainMoments(double mu, double var, double horizon, double eta, double c) {
        int steps = new ReverseDiffusionMonteCarlo(horizon, eta, new ImportanceScore(1)).steps();
        double m = 0;
        double v = 1;
        for (int k = 0; k < steps; k++) {
            double a = OU.meanScale(horizon - k * eta);
            double spread = a * a * var + 1 - a * a;
            double slope = OU.stateCoefficient(eta) - c / spread;
            m = slope * m + c * a * mu / spread;
            v = slope * slope * v + OU.noiseStd(eta) * OU.noiseStd(eta);
        }
        return new double[] {m, v};
    }

    @Test
    void costsAreCountedPerParticleAndStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            Run importance = new ReverseDiffusionMonteCarlo(1.0, 0.25, new ImportanceScore(8)).run(m, MIXTURE, 10, 1, 0);
            assertEquals(4L * 10 * 8, importance.densityEvaluations());
            assertEquals(0, importance.gradientEvaluations());
            Run ula = new ReverseDiffusionMonteCarlo(1.0, 0.25, new LangevinScore(3, Langevin.ula(0.01, 5))).run(m, MIXTURE, 10, 1, 2);
            assertEquals(4L * 10 * 3, ula.densityEvaluations(), "one density per chain for the initial resampling");
            assertEquals(4L * 10 * 3 * 5, ula.gradientEvaluations(), "one gradient per chain and inner step");
            assertTrue(Double.isNaN(ula.acceptanceRate()));
            assertEquals(Arrays.asList(0, 2, 4), ula.trajectory().stream().map(Run.Snapshot::step).toList());
            assertEquals(ula.evaluationsPerParticle(), ula.trajectory().get(2).evaluationsPerParticle());
            Run mala = new ReverseDiffusionMonteCarlo(1.0, 0.25, new LangevinScore(3, Langevin.mala(0.01, 5))).run(m, MIXTURE, 10, 1, 0);
            assertEquals(4L * 10 * 3 * (1 + 6), mala.densityEvaluations());
            assertEquals(4L * 10 * 3 * 6, mala.gradientEvaluations());
            assertTrue(mala.acceptanceRate() > 0 && mala.acceptanceRate() <= 1);
        }
    }

    @Test
    void theSameSeedGivesBitwiseTheSameSamples() {
        ReverseDiffusionMonteCarlo rdmc = new ReverseDiffusionMonteCarlo(1.0, 0.1, new LangevinScore(4, Langevin.mala(0.01, 3)));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] first = rdmc.run(m, MIXTURE, 50, 3, 0).samples().toFloatArray();
            float[] second = rdmc.run(m, MIXTURE, 50, 3, 0).samples().toFloatArray();
            float[] other = rdmc.run(m, MIXTURE, 50, 4, 0).samples().toFloatArray();
            assertArrayEquals(first, second);
            assertFalse(Arrays.equals(first, other));
        }
    }

    @Test
    void stepsAreFloorOfTOverEta() {
        assertEquals(10, new ReverseDiffusionMonteCarlo(1.0, 0.1, new ImportanceScore(1)).steps());
        assertEquals(3, new ReverseDiffusionMonteCarlo(1.0, 0.3, new ImportanceScore(1)).steps());
        assertEquals(1, new ReverseDiffusionMonteCarlo(0.5, 0.5, new ImportanceScore(1)).steps());
    }

    /** An estimator that returns 1e30 x: the state overflows float32 at the second step. */
    @Test
    void aDivergingRunStopsNamingTheStep() {
        ScoreEstimator exploding = new ScoreEstimator() {
            public String name() {
                return "exploding";
            }

            public Estimate estimate(Target target, NDArray x, double s, Noise noise) {
                return new Estimate(x.mul(1e30f), x.zerosLike(), 0, 0);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            DivergedException e = assertThrows(DivergedException.class,
                    () -> new ReverseDiffusionMonteCarlo(1.0, 0.1, exploding).run(m, MIXTURE, 10, 1, 0));
            assertEquals(2, e.step());
            assertTrue(e.getMessage().contains("diverged at step 2"), e.getMessage());
            DivergedException broken = assertThrows(DivergedException.class,
                    () -> new ReverseDiffusionMonteCarlo(1.0, 0.1, new LangevinScore(2, Langevin.ula(0.01, 2)))
                            .run(m, MeteredTargetTest.BROKEN, m.ones(new Shape(5, 2)).mul(3), 1, 0));
            assertTrue(broken.getMessage().contains("non-finite gradient"), broken.getMessage());
        }
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ReverseDiffusionMonteCarlo(0, 0.1, new ImportanceScore(4)));
        assertThrows(IllegalArgumentException.class, () -> new ReverseDiffusionMonteCarlo(-1, 0.1, new ImportanceScore(4)));
        assertThrows(IllegalArgumentException.class, () -> new ReverseDiffusionMonteCarlo(1, 0, new ImportanceScore(4)));
        assertThrows(IllegalArgumentException.class, () -> new ReverseDiffusionMonteCarlo(1, 2, new ImportanceScore(4)));
        assertThrows(IllegalArgumentException.class, () -> new ReverseDiffusionMonteCarlo(Double.NaN, 0.1, new ImportanceScore(4)));
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> new ImportanceScore(0));
        assertTrue(n.getMessage().contains("samples = 0"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LangevinScore(0, Langevin.ula(0.1, 1)));
        ReverseDiffusionMonteCarlo rdmc = new ReverseDiffusionMonteCarlo(1, 0.1, new ImportanceScore(4));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> rdmc.run(m, MIXTURE, m.zeros(new Shape(5, 3)), 1, 0));
            assertTrue(shape.getMessage().contains("(5, 3)"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> rdmc.run(m, MIXTURE, 0, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> new ImportanceScore(4).estimate(MIXTURE, m.zeros(new Shape(5, 2)), 0, Noise.seeded(1)));
        }
    }

    private static double rmse(NDArray estimate, NDArray exact) {
        return estimate.sub(exact).square().mean().sqrt().getFloat();
    }
}
