package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.loss.Decoder;
import diffusion.loss.GaussianDataBound;
import diffusion.loss.VariationalBound;
import diffusion.metrics.MonteCarlo;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

/**
 * The diagonal optimal variance sigma*_k,j^2 = lambda_k^2 + c_k^2 (1 - aBar'_k) / aBar'_k (1 - Gamma'_k,j) against the
 * exact reverse conditional of Gaussian data N(mu, diag v), whose p(x_{k-1} | x_k) is Gaussian with per-coordinate
 * variance Var(x_{k-1,j} | x_k,j) = V_{k-1,j} - (aBar'_k / aBar'_{k-1}) V_{k-1,j}^2 / V_k,j (GaussianMoments).
 */
class DiagonalOptimalVarianceTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final double[] MEAN = {0.5, -1.0, 0.2};
    private static final double[] VARIANCE = {0.01, 0.3, 1.0}; // standard deviations 0.1 .. 1: a decade
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(MEAN, VARIANCE);

    /**
     * With the exact per-coordinate moments, the diagonal formula is the exact per-coordinate conditional variance at
     * every step of a 10-step DDPM trajectory (to 1e-9 relative: two closed forms in double precision); the isotropic
     * sigma*_k^2 is its average, and it misses each coordinate by more than 10% at some step (power: the data's scales
     * differ by a decade).
     */
    @Test
    void theDiagonalOptimumIsTheExactPerCoordinateVariance() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        OptimalVariance optimal = new OptimalVariance(steps.subSchedule(), 1.0, Double.POSITIVE_INFINITY);
        double[] worstIsotropicMiss = new double[VARIANCE.length];
        for (int k = 1; k <= steps.K(); k++) {
            double[] exact = GaussianMoments.conditionalVariances(SCHEDULE, steps.tau(k - 1), steps.tau(k), VARIANCE);
            double[] diagonal = optimal.sigmaSquared(k, GaussianMoments.gammas(SCHEDULE, steps.tau(k), VARIANCE));
            double isotropic = optimal.sigmaSquared(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), VARIANCE));
            double average = 0;
            for (int j = 0; j < VARIANCE.length; j++) {
                assertEquals(exact[j], diagonal[j], 1e-9 * exact[j], "k = " + k + ", j = " + j);
                average += diagonal[j] / VARIANCE.length;
                worstIsotropicMiss[j] = Math.max(worstIsotropicMiss[j], Math.abs(isotropic - exact[j]) / exact[j]);
            }
            assertEquals(isotropic, average, 1e-12 * isotropic, "the isotropic optimum is the diagonal one averaged, k = " + k);
        }
        for (int j = 0; j < VARIANCE.length; j++) {
            assertTrue(worstIsotropicMiss[j] > 0.1, "the isotropic variance misses coordinate " + j + " by " + worstIsotropicMiss[j]);
        }
    }

    /**
     * For isotropic data every Gamma_t,j equals Gamma_t, so the diagonal optimum is the isotropic one in every coordinate
     * (1e-9 relative: the average of d equal doubles is not exact, and at eta = 0 and small t the formula cancels to 1e-5).
     */
    @Test
    void forIsotropicDataTheDiagonalOptimumIsTheIsotropicOne() {
        double[] isotropicVariance = {0.5, 0.5, 0.5};
        Timesteps steps = Timesteps.uniform(SCHEDULE, 20);
        for (double eta : new double[] {0.0, 1.0}) {
            OptimalVariance optimal = new OptimalVariance(steps.subSchedule(), eta, Double.POSITIVE_INFINITY);
            for (int k = 1; k <= steps.K(); k++) {
                double isotropic = optimal.sigmaSquared(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), isotropicVariance));
                for (double value : optimal.sigmaSquared(k, GaussianMoments.gammas(SCHEDULE, steps.tau(k), isotropicVariance))) {
                    assertEquals(isotropic, value, 1e-9 * isotropic, "eta = " + eta + ", k = " + k);
                }
            }
        }
    }

    /**
     * The Monte Carlo per-coordinate moments of EpsMoment match the closed form Gamma_t,j within 5 of their standard
     * errors (both forms), average to the isotropic estimate (1e-6: float32 sums), and AnalyticDpm's diagonal variances
     * match the exact conditional variances within 5 standard errors propagated through the formula.
     */
    @Test
    void theEstimatedDiagonalVarianceMatchesTheExactOne() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, SCHEDULE);
        try (NDManager m = manager.newSubManager()) {
            NDArray train = GAUSSIAN.sample(m, 20_000, 1);
            for (EpsMoment.Form form : EpsMoment.Form.values()) {
                EpsMoment moment = new EpsMoment(oracle, train, 4000, 2, form);
                for (int t : new int[] {1, 100, 500, 1000}) {
                    double[] exact = GaussianMoments.gammas(SCHEDULE, t, VARIANCE);
                    double[] estimate = moment.gammaPerDimension(t);
                    double[] error = moment.gammaPerDimensionError(t);
                    double average = 0;
                    for (int j = 0; j < exact.length; j++) {
                        assertEquals(exact[j], estimate[j], 5 * error[j], form + ", t = " + t + ", j = " + j);
                        average += estimate[j] / exact.length;
                    }
                    assertEquals(moment.gamma(t), average, 1e-6, form + ": the coordinates average to Gamma_t at t = " + t);
                }
            }
            EpsMoment moment = new EpsMoment(oracle, train, 4000, 3);
            AnalyticDpm diagonal = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false, AnalyticDpm.Covariance.DIAGONAL);
            NoiseSchedule sub = steps.subSchedule();
            for (int k = 1; k <= steps.K(); k++) {
                double[] exact = GaussianMoments.conditionalVariances(SCHEDULE, steps.tau(k - 1), steps.tau(k), VARIANCE);
                double[] error = moment.gammaPerDimensionError(steps.tau(k));
                double c = diagonal.optimal().x0Coefficient(k);
                double[] estimate = diagonal.sigmaSquaredPerDimension(k);
                for (int j = 0; j < exact.length; j++) {
                    assertEquals(exact[j], estimate[j], 5 * c * c * (1 - sub.alphaBar(k)) / sub.alphaBar(k) * error[j] + 1e-12, "k = " + k + ", j = " + j);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> diagonal.sigmaSquared(1), "a diagonal model has no single variance");
        }
    }

    /**
     * The sharp identity per coordinate: with the exact mean and the diagonal optimum, the chain is the true reverse
     * process of anisotropic Gaussian data, so its closed-form bound is H(x_0) + KL(q(x_T) || N(0, I)) at every K (1e-9
     * relative), while the isotropic optimum pays for the anisotropy (above it by more than 1e-3 nats at K = 10).
     * VariationalBound on the diagonal reverse() matches that closed form within 5 standard errors.
     */
    @Test
    void theDiagonalChainAttainsTheTrueLikelihoodAtEveryK() {
        double alphaBarT = SCHEDULE.alphaBar(SCHEDULE.T());
        double marginalKl = 0; // KL(q(x_T) || N(0, I)) with q(x_T)_j = N(sqrt(aBar_T) mu_j, aBar_T v_j + 1 - aBar_T)
        for (int j = 0; j < MEAN.length; j++) {
            double vT = alphaBarT * VARIANCE[j] + 1 - alphaBarT;
            marginalKl += 0.5 * (vT + alphaBarT * MEAN[j] * MEAN[j] - 1 - Math.log(vT));
        }
        double target = GaussianDataBound.entropy(VARIANCE) + marginalKl;
        for (int K : new int[] {200, 50, 10}) {
            Timesteps steps = Timesteps.uniform(SCHEDULE, K);
            NoiseSchedule sub = steps.subSchedule();
            OptimalVariance optimal = new OptimalVariance(sub, 1.0, Double.POSITIVE_INFINITY);
            double diagonal = 0;
            for (int j = 0; j < MEAN.length; j++) { // the bound is a sum over coordinates
                int coordinate = j;
                diagonal += GaussianDataBound.total(sub, new double[] {MEAN[j]}, new double[] {VARIANCE[j]},
                        k -> optimal.sigmaSquared(k, GaussianMoments.gammas(SCHEDULE, steps.tau(k), VARIANCE))[coordinate]);
            }
            double isotropic = GaussianDataBound.total(sub, MEAN, VARIANCE, k -> optimal.sigmaSquared(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), VARIANCE)));
            assertEquals(target, diagonal, 1e-9 * Math.abs(target), "K = " + K);
            if (K == 10) {
                assertTrue(isotropic > target + 1e-3, "isotropic bound " + isotropic + " against " + target);
            }
        }
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        try (NDManager m = manager.newSubManager()) {
            EpsMoment moment = new EpsMoment(new GaussianMixtureOracle(GAUSSIAN, SCHEDULE), GAUSSIAN.sample(m, 20_000, 1), 4000, 7);
            AnalyticDpm analytic = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false, AnalyticDpm.Covariance.DIAGONAL);
            VariationalBound.Evaluation evaluation = new VariationalBound(steps.subSchedule(), Decoder.GAUSSIAN)
                    .evaluate(analytic.reverse(), GAUSSIAN.sample(m, 4000, 8), 9);
            assertEquals(target, evaluation.total(), 5 * evaluation.standardError());
        }
    }

    /**
     * The per-dimension sampler: with equal variances in every coordinate it is the isotropic sampler step for step
     * (same noise, bitwise), and with the diagonal optimum and the exact model at K = 10 its samples have the data's
     * per-coordinate variances within 5 standard errors of a Gaussian sample variance (n = 20000), which the isotropic
     * optimum misses by more than that in some coordinate (power). The moments use the residual form with M = 20000:
     * near T the squared norm's per-coordinate noise (sd about sqrt(2) Gamma_t,j / sqrt(M)) swamps 1 - Gamma_t,j, while
     * the residual's sd is sqrt(2) (1 - Gamma_t,j) / sqrt(M), about 1% of the posterior variance here.
     */
    @Test
    void thePerDimensionSamplerDrawsTheDataVariances() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, SCHEDULE);
        TimeGrid grid = TimeGrid.of(steps);
        int n = 20_000;
        try (NDManager m = manager.newSubManager()) {
            GeneralisedReverse scalar = GeneralisedReverse.of(1.0, ReverseVariance.of((t, s) -> 0.1 * t / 1000), "scalar");
            GeneralisedReverse repeated = GeneralisedReverse.perDimension(1.0, (t, s) -> new double[] {0.1 * t / 1000, 0.1 * t / 1000, 0.1 * t / 1000}, "repeated");
            assertArrayEquals(scalar.sample(m, oracle, grid, Noise.seeded(3), Monitor.quiet(), 50).samples().toFloatArray(),
                    repeated.sample(m, oracle, grid, Noise.seeded(3), Monitor.quiet(), 50).samples().toFloatArray());
            EpsMoment moment = new EpsMoment(oracle, GAUSSIAN.sample(m, 20_000, 1), 20_000, 4, EpsMoment.Form.RESIDUAL);
            NDArray diagonal = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false, AnalyticDpm.Covariance.DIAGONAL)
                    .sampler().sample(m, oracle, grid, Noise.seeded(5), Monitor.quiet(), n).samples();
            NDArray isotropic = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false)
                    .sampler().sample(m, oracle, grid, Noise.seeded(5), Monitor.quiet(), n).samples();
            double worstIsotropicZ = 0;
            for (int j = 0; j < VARIANCE.length; j++) {
                double tolerance = MonteCarlo.varianceError(VARIANCE[j], n);
                assertEquals(VARIANCE[j], MonteCarlo.variance(diagonal, j), 5 * tolerance, "diagonal, coordinate " + j);
                worstIsotropicZ = Math.max(worstIsotropicZ, Math.abs(MonteCarlo.variance(isotropic, j) - VARIANCE[j]) / tolerance);
            }
            assertTrue(worstIsotropicZ > 5, "the isotropic sampler misses a coordinate's variance by " + worstIsotropicZ + " standard errors");
            GeneralisedReverse wrongLength = GeneralisedReverse.perDimension(1.0, (t, s) -> new double[] {0.1, 0.1}, "two");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> wrongLength.sample(m, oracle, grid, Noise.seeded(3), Monitor.quiet(), 5));
            assertTrue(e.getMessage().contains("2 variances"), e.getMessage());
        }
    }
}
