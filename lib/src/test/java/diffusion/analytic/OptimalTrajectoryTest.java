package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.loss.GaussianDataBound;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.Timesteps;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The optimal trajectory: its cost is the closed-form bound, and the dynamic programme finds the cheapest path. */
class OptimalTrajectoryTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);

    /**
     * For isotropic Gaussian data and the exact Gamma, d * cost(steps) + L_T is the closed-form bound with sigma*
     * (GaussianDataBound, eta = 1 on the sub-schedule), on any trajectory, to 1e-9 nats.
     */
    @Test
    void theCostIsTheClosedFormBoundLessThePrior() {
        double[] mean = {0.3, -0.4}, variance = {0.5, 0.5};
        double[] gamma = new double[SCHEDULE.T()];
        for (int t = 1; t <= SCHEDULE.T(); t++) {
            gamma[t - 1] = GaussianMoments.gamma(SCHEDULE, t, variance);
        }
        OptimalTrajectory trajectory = new OptimalTrajectory(SCHEDULE, 1.0, Double.POSITIVE_INFINITY, gamma);
        for (Timesteps steps : new Timesteps[] {Timesteps.uniform(SCHEDULE, 10), Timesteps.quadratic(SCHEDULE, 7), Timesteps.of(SCHEDULE, 3, 40, 100)}) {
            NoiseSchedule sub = steps.subSchedule();
            OptimalVariance optimal = new OptimalVariance(sub, 1.0, Double.POSITIVE_INFINITY);
            double closedForm = GaussianDataBound.total(sub, mean, variance, k -> optimal.sigmaSquared(k, gamma[steps.tau(k) - 1]));
            double fromCost = 2 * trajectory.cost(steps) + GaussianDataBound.prior(sub, mean, variance);
            assertEquals(closedForm, fromCost, 1e-9, steps.toString());
        }
    }

    /** On a 12-step schedule with arbitrary Gamma in [0.2, 0.9], the programme's path costs the least of all C(11, K-1) paths. */
    @Test
    void theDynamicProgrammeFindsTheCheapestPath() {
        NoiseSchedule small = NoiseSchedule.linear(12);
        SplittableRandom random = new SplittableRandom(3);
        double[] gamma = new double[small.T()];
        for (int t = 0; t < gamma.length; t++) {
            gamma[t] = 0.2 + 0.7 * random.nextDouble();
        }
        OptimalTrajectory trajectory = new OptimalTrajectory(small, 1.0, Double.POSITIVE_INFINITY, gamma);
        for (int K = 1; K <= 4; K++) {
            Timesteps best = trajectory.optimal(K);
            assertEquals(K, best.K());
            assertEquals(small.T(), best.tau(K), "the path ends at T");
            double cheapest = cheapest(trajectory, small, new int[K], 0, 1, K);
            assertEquals(cheapest, trajectory.cost(best), 1e-12, "K = " + K);
        }
        assertArrayEquals(Timesteps.full(small).steps(), trajectory.optimal(small.T()).steps(), "K = T leaves one path");
    }

    /** Brute force: the least cost over all increasing paths tau_1..tau_K with tau_K = T, filling tau from index i. */
    private static double cheapest(OptimalTrajectory trajectory, NoiseSchedule schedule, int[] tau, int i, int from, int K) {
        if (i == K - 1) {
            tau[i] = schedule.T();
            return tau[i] > (i == 0 ? 0 : tau[i - 1]) ? trajectory.cost(Timesteps.of(schedule, tau)) : Double.POSITIVE_INFINITY;
        }
        double least = Double.POSITIVE_INFINITY;
        for (int t = from; t < schedule.T(); t++) {
            tau[i] = t;
            least = Math.min(least, cheapest(trajectory, schedule, tau, i + 1, t + 1, K));
        }
        return least;
    }

    /** The optimal path costs no more than the uniform and quadratic ones at the same K. */
    @Test
    void theOptimalPathBeatsTheHandPickedOnes() {
        double[] variance = {0.04, 0.04};
        double[] gamma = new double[SCHEDULE.T()];
        for (int t = 1; t <= SCHEDULE.T(); t++) {
            gamma[t - 1] = GaussianMoments.gamma(SCHEDULE, t, variance) * 0.95; // an imperfect model's moment
        }
        OptimalTrajectory trajectory = new OptimalTrajectory(SCHEDULE, 1.0, Double.POSITIVE_INFINITY, gamma);
        for (int K : new int[] {5, 10, 20}) {
            double optimal = trajectory.cost(trajectory.optimal(K));
            assertTrue(optimal <= trajectory.cost(Timesteps.uniform(SCHEDULE, K)) + 1e-12, "uniform, K = " + K);
            assertTrue(optimal <= trajectory.cost(Timesteps.quadratic(SCHEDULE, K)) + 1e-12, "quadratic, K = " + K);
        }
    }

    @Test
    void badInputIsRejectedByName() {
        double[] gamma = new double[SCHEDULE.T()];
        assertMessage("eta", () -> new OptimalTrajectory(SCHEDULE, 0, Double.POSITIVE_INFINITY, gamma));
        assertMessage("gamma has length", () -> new OptimalTrajectory(SCHEDULE, 1, Double.POSITIVE_INFINITY, new double[3]));
        OptimalTrajectory trajectory = new OptimalTrajectory(SCHEDULE, 1, Double.POSITIVE_INFINITY, gamma);
        assertMessage("K", () -> trajectory.optimal(0));
        assertMessage("K", () -> trajectory.optimal(SCHEDULE.T() + 1));
        assertMessage("s = 5", () -> trajectory.stepCost(5, 5));
        assertMessage("the steps index", () -> trajectory.cost(Timesteps.uniform(NoiseSchedule.linear(50), 5)));
    }

    private static void assertMessage(String fragment, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
