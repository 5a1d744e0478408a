package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.loss.Decoder;
import diffusion.loss.GaussianDataBound;
import diffusion.loss.VariationalBound;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import org.junit.jupiter.api.Test;

class AnalyticDpmTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final double[] MEAN = {0.5, -1.0};
    private static final double[] VARIANCE = {0.3, 2.0};
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(MEAN, VARIANCE);

    /** Monte Carlo Gamma_t with the oracle matches the closed form (1/d) sum_j (1 - aBar_t) / (aBar_t v_j + 1 - aBar_t) within 5 standard errors. */
    @Test
    void theMomentEstimateMatchesItsClosedForm() {
        try (NDManager m = manager.newSubManager()) {
            EpsMoment moment = new EpsMoment(new GaussianMixtureOracle(GAUSSIAN, SCHEDULE), GAUSSIAN.sample(m, 20_000, 1), 4000, 2);
            for (int t : new int[] {1, 10, 100, 400, 1000}) {
                MonteCarlo.Estimate estimate = moment.estimate(t);
                assertEquals(GaussianMoments.gamma(SCHEDULE, t, VARIANCE), estimate.mean(), 5 * estimate.standardError(), "Gamma at t = " + t);
            }
        }
    }

    /**
     * Both forms estimate Gamma_t for the exact model: the residual form 1 - ||eps - eps*||^2 / d matches the closed form
     * within 5 standard errors too, and it never exceeds 1, while at t = T, where 1 - Gamma_T is about 1e-4, the
     * squared norm's estimate lies above 1 with the Monte Carlo noise of a d = 2 norm (se about 0.02 at M = 4000).
     */
    @Test
    void theResidualFormEstimatesTheSameMomentAndStaysBelowOne() {
        try (NDManager m = manager.newSubManager()) {
            NDArray data = GAUSSIAN.sample(m, 20_000, 1);
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, SCHEDULE);
            EpsMoment residual = new EpsMoment(oracle, data, 4000, 2, EpsMoment.Form.RESIDUAL);
            for (int t : new int[] {1, 10, 100, 400, 1000}) {
                MonteCarlo.Estimate estimate = residual.estimate(t);
                assertEquals(GaussianMoments.gamma(SCHEDULE, t, VARIANCE), estimate.mean(), 5 * estimate.standardError(), "Gamma at t = " + t);
                assertTrue(estimate.mean() <= 1, "residual form at t = " + t + ": " + estimate.mean());
            }
            int aboveOne = 0;
            EpsMoment squared = new EpsMoment(oracle, data, 4000, 2);
            for (int t = 900; t <= 1000; t += 10) {
                aboveOne += squared.gamma(t) > 1 ? 1 : 0;
            }
            assertTrue(aboveOne > 0, "the squared-norm form should exceed 1 somewhere near T (noise far above 1 - Gamma)");
        }
    }

    /**
     * For Gaussian data the optimal variance is the true conditional variance: with the exact Gamma, sigma*_k^2 of DDPM
     * (eta = 1) on a trajectory equals Var(x_{tau_{k-1}} | x_{tau_k}) averaged over dimensions (to 1e-9 relative, double
     * rounding); with Gamma estimated from M = 4000 oracle draws it agrees within 5 standard errors of the estimate
     * propagated through the formula, c_k^2 (1 - aBar) / aBar * se(Gamma).
     */
    @Test
    void theOptimalVarianceIsTheTrueConditionalVarianceForGaussianData() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        NoiseSchedule sub = steps.subSchedule();
        OptimalVariance optimal = new OptimalVariance(sub, 1.0, Double.POSITIVE_INFINITY);
        try (NDManager m = manager.newSubManager()) {
            EpsMoment moment = new EpsMoment(new GaussianMixtureOracle(GAUSSIAN, SCHEDULE), GAUSSIAN.sample(m, 20_000, 1), 4000, 3);
            AnalyticDpm analytic = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false);
            for (int k = 1; k <= steps.K(); k++) {
                double exact = GaussianMoments.conditionalVariance(SCHEDULE, steps.tau(k - 1), steps.tau(k), VARIANCE);
                double formula = optimal.unclipped(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), VARIANCE));
                assertEquals(exact, formula, 1e-9 * exact, "closed form at k = " + k);
                double c = optimal.x0Coefficient(k);
                double error = c * c * (1 - sub.alphaBar(k)) / sub.alphaBar(k) * moment.estimate(steps.tau(k)).standardError();
                assertEquals(exact, analytic.sigmaSquared(k), 5 * error, "estimate at k = " + k);
            }
            // power: DDPM's betaTilde is not the optimum here
            assertTrue(Math.abs(sub.betaTilde(5) - GaussianMoments.conditionalVariance(SCHEDULE, steps.tau(4), steps.tau(5), VARIANCE))
                    > 0.01 * sub.betaTilde(5));
        }
    }

    /**
     * The clipped estimate always lies within lambda^2 <= sigma^2 <= lambda^2 + c^2 min((1 - aBar)/aBar, r^2), for DDPM
     * and DDIM: a model that overstates the noise (Gamma > 1) is clipped to the lower bound, and a tight data box
     * (r = 0.05) to the upper bound.
     */
    @Test
    void theClippedEstimateLiesWithinItsBounds() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        ScoreModel loud = ScoreModel.of(oracle.sampleShape(), SCHEDULE, Parameterisation.EPSILON, (x, t) -> oracle.epsilon(x, t).mul(1.5));
        Timesteps steps = Timesteps.quadratic(SCHEDULE, 25);
        try (NDManager m = manager.newSubManager()) {
            NDArray train = data.sample(m, 5000, 5);
            int clippedLow = 0;
            int clippedHigh = 0;
            for (ScoreModel model : new ScoreModel[] {oracle, loud}) {
                EpsMoment moment = new EpsMoment(model, train, 500, 6);
                for (double eta : new double[] {0.0, 1.0}) {
                    for (double r : new double[] {Double.POSITIVE_INFINITY, 0.05}) {
                        AnalyticDpm analytic = AnalyticDpm.of(steps, eta, moment, r, false);
                        OptimalVariance optimal = analytic.optimal();
                        for (int k = 1; k <= steps.K(); k++) {
                            double value = analytic.sigmaSquared(k);
                            assertTrue(value >= optimal.lower(k) && value <= optimal.upper(k), "k = " + k + ": " + value);
                            double raw = optimal.unclipped(k, analytic.gamma(k));
                            clippedLow += raw < optimal.lower(k) && value == optimal.lower(k) ? 1 : 0;
                            clippedHigh += raw > optimal.upper(k) && value == optimal.upper(k) ? 1 : 0;
                        }
                    }
                }
            }
            assertTrue(clippedLow > 0, "the loud model is clipped to the lower bound");
            assertTrue(clippedHigh > 0, "the tight box clips to the upper bound");
        }
    }

    /**
     * The sharp identity: for isotropic Gaussian data and the exact optimal mean and variance, the reverse chain is the
     * true reverse process, so the bound equals H(x_0) + KL(q(x_T) || N(0, I)) (the marginal q(x_T)) whatever the number of steps K (to 1e-9
     * relative). DDPM's betaTilde does not have this property: its bound grows as K falls (power check).
     */
    @Test
    void withTheOptimalVarianceTheBoundDoesNotDependOnTheNumberOfSteps() {
        double[] mean = {0.3, -0.4};
        double[] variance = {0.5, 0.5};
        double alphaBarT = SCHEDULE.alphaBar(SCHEDULE.T());
        double marginalKl = 0; // KL(q(x_T) || N(0, I)) with q(x_T) = N(sqrt(aBar_T) mu, (aBar_T v + 1 - aBar_T) I)
        for (int j = 0; j < 2; j++) {
            double vT = alphaBarT * variance[j] + 1 - alphaBarT;
            marginalKl += 0.5 * (vT + alphaBarT * mean[j] * mean[j] - 1 - Math.log(vT));
        }
        double target = GaussianDataBound.entropy(variance) + marginalKl;
        double previousTilde = Double.NEGATIVE_INFINITY;
        for (int K : new int[] {1000, 200, 50, 10, 2}) {
            Timesteps steps = Timesteps.uniform(SCHEDULE, K);
            NoiseSchedule sub = steps.subSchedule();
            OptimalVariance optimal = new OptimalVariance(sub, 1.0, Double.POSITIVE_INFINITY);
            double bound = GaussianDataBound.total(sub, mean, variance, k -> optimal.unclipped(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), variance)));
            assertEquals(target, bound, 1e-9 * Math.abs(target), "K = " + K);
            double tilde = GaussianDataBound.total(sub, mean, variance, k -> k == 1 ? sub.betaTilde(2) : sub.betaTilde(k));
            assertTrue(tilde > previousTilde && tilde > bound + 1e-3, "K = " + K + ": betaTilde bound " + tilde);
            previousTilde = tilde;
        }
    }

    /**
     * The Monte Carlo pipeline agrees with the closed form: VariationalBound on the 10-step sub-schedule with the
     * Analytic-DDPM reverse kernel (oracle mean, estimated Gamma) matches the exact bound within 5 standard errors of
     * the bound estimate (first order in sigma, the Gamma error does not move a bound at its optimum).
     */
    @Test
    void theEstimatedBoundOnATrajectoryMatchesTheClosedForm() {
        Timesteps steps = Timesteps.uniform(SCHEDULE, 10);
        try (NDManager m = manager.newSubManager()) {
            EpsMoment moment = new EpsMoment(new GaussianMixtureOracle(GAUSSIAN, SCHEDULE), GAUSSIAN.sample(m, 20_000, 1), 4000, 7);
            AnalyticDpm analytic = AnalyticDpm.of(steps, 1.0, moment, Double.POSITIVE_INFINITY, false);
            VariationalBound.Evaluation evaluation = new VariationalBound(steps.subSchedule(), Decoder.GAUSSIAN)
                    .evaluate(analytic.reverse(), GAUSSIAN.sample(m, 4000, 8), 9);
            NoiseSchedule sub = steps.subSchedule();
            OptimalVariance optimal = analytic.optimal();
            double exact = GaussianDataBound.total(sub, MEAN, VARIANCE, k -> optimal.unclipped(k, GaussianMoments.gamma(SCHEDULE, steps.tau(k), VARIANCE)));
            assertEquals(exact, evaluation.total(), 5 * evaluation.standardError());
        }
    }

    /** Estimates are cached per step and do not depend on the order in which steps are asked for. */
    @Test
    void momentsAreCachedAndOrderIndependent() {
        try (NDManager m = manager.newSubManager()) {
            NDArray train = GAUSSIAN.sample(m, 1000, 1);
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, SCHEDULE);
            EpsMoment first = new EpsMoment(oracle, train, 100, 4);
            EpsMoment second = new EpsMoment(oracle, train, 100, 4);
            MonteCarlo.Estimate a = first.estimate(500);
            second.gammas(10, 700, 500);
            assertEquals(a, second.estimate(500));
            assertSame(a, first.estimate(500), "the second call is served from the cache");
        }
    }

    @Test
    void badInputIsRejectedBeforeAnyWork() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, SCHEDULE);
        try (NDManager m = manager.newSubManager()) {
            NDArray train = GAUSSIAN.sample(m, 100, 1);
            assertMessage("M", () -> new EpsMoment(oracle, train, 0, 1));
            assertMessage("data", () -> new EpsMoment(oracle, m.zeros(new ai.djl.ndarray.types.Shape(10, 3)), 10, 1));
            EpsMoment moment = new EpsMoment(oracle, train, 10, 1);
            assertMessage("eta", () -> AnalyticDpm.of(Timesteps.uniform(SCHEDULE, 10), -1, moment, 1, false));
            assertMessage("halfRange", () -> AnalyticDpm.of(Timesteps.uniform(SCHEDULE, 10), 1, moment, 0, false));
            assertMessage("timesteps", () -> AnalyticDpm.of(Timesteps.uniform(NoiseSchedule.linear(1000), 10), 1, moment, 1, false));
            assertMessage("t", () -> moment.estimate(0));
        }
    }

    private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(name), "message names " + name + ": " + e.getMessage());
    }
}
