package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.Parameterisation;
import org.junit.jupiter.api.Test;

class PosteriorTest {

    private static final int N = 200_000;
    private static final double Z = 5.0; // tolerance: 5 Monte Carlo standard errors

    /**
     * Proposition 2 by simulation: draw x_{t-1} ~ q(x_{t-1}|x_0) and x_t ~ q(x_t|x_{t-1}); the residual
     * r = x_{t-1} - mu_q(x_t, x_0) must have mean 0, variance betaTilde_t and no correlation with x_t.
     */
    @Test
    void proposition2ResidualHasMeanZeroVarianceBetaTildeAndIsUncorrelatedWithXt() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        ForwardProcess q = new ForwardProcess(schedule);
        Posterior posterior = new Posterior(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            NDArray x0 = m.create(new float[] {0.8f}).reshape(1, 1).repeat(0, N);
            for (int t : new int[] {2, 10, 50, 100}) {
                NDArray xPrev = q.sample(x0, t - 1, m.randomNormal(new Shape(N, 1)));
                NDArray xt = q.step(xPrev, t, m.randomNormal(new Shape(N, 1)));
                NDArray r = xPrev.sub(posterior.mean(xt, x0, t));
                double var = posterior.variance(t);
                assertEquals(0.0, MonteCarlo.mean(r, 0), Z * MonteCarlo.meanError(var, N), "mean at t = " + t);
                assertEquals(var, MonteCarlo.variance(r, 0), Z * MonteCarlo.varianceError(var, N), "variance at t = " + t);
                double covariance = r.mul(xt.sub(xt.mean())).mean().getFloat();
                double covarianceError = Math.sqrt(var * (1 - schedule.alphaBar(t)) / N);
                assertEquals(0.0, covariance, Z * covarianceError, "Cov(r, x_t) at t = " + t);
            }
        }
    }

    /** The lecture's variance (1 - alpha_t)(1 - sqrt(alphaBar_{t-1}))/(1 - alphaBar_t) is rejected by the same simulation. */
    @Test
    void theLecturesPosteriorVarianceWithASquareRootIsRejected() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        ForwardProcess q = new ForwardProcess(schedule);
        Posterior posterior = new Posterior(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            int t = 50;
            NDArray x0 = m.zeros(new Shape(N, 1));
            NDArray xPrev = q.sample(x0, t - 1, m.randomNormal(new Shape(N, 1)));
            NDArray xt = q.step(xPrev, t, m.randomNormal(new Shape(N, 1)));
            double empirical = MonteCarlo.variance(xPrev.sub(posterior.mean(xt, x0, t)), 0);
            double lecture = schedule.beta(t) * (1 - Math.sqrt(schedule.alphaBar(t - 1))) / (1 - schedule.alphaBar(t));
            double error = MonteCarlo.varianceError(posterior.variance(t), N);
            assertTrue(Math.abs(empirical - lecture) > 10 * error, // |z| > 10: far beyond Monte Carlo fluctuation
                    "lecture " + lecture + " vs simulated " + empirical + " (standard error " + error + ")");
        }
    }

    @Test
    void theEpsilonFormOfTheMeanIsTheMeanAtThePredictedX0() {
        NoiseSchedule schedule = NoiseSchedule.cosine(50);
        Posterior posterior = new Posterior(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xt = m.randomNormal(new Shape(8, 2));
            NDArray eps = m.randomNormal(new Shape(8, 2));
            for (int t : new int[] {1, 25, 50}) {
                NDArray viaX0 = posterior.mean(xt, Parameterisation.EPSILON.convert(eps, Parameterisation.X0, xt, schedule, t), t);
                double scale = 1 + viaX0.abs().max().getFloat();
                assertEquals(0.0, posterior.meanFromEpsilon(xt, eps, t).sub(viaX0).abs().max().getFloat(), 1e-5 * scale);
            }
        }
    }
}
