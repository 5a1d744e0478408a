package diffusion.process;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.schedule.NoiseSchedule;

/**
 * Proposition 2: the posterior q(x_{t-1} | x_t, x_0) = N(mu_q(x_t, x_0), betaTilde_t I), and the
 * eps-parameterised reverse mean obtained by substituting x_0 = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t).
 */
public final class Posterior {

    private final NoiseSchedule schedule;

    /** The posterior of schedule. */
    public Posterior(NoiseSchedule schedule) {
        this.schedule = Arguments.nonNull("schedule", schedule);
    }

    /**
     * mu_q(x_t, x_0) = sqrt(alpha_t)(1 - alphaBar_{t-1})/(1 - alphaBar_t) x_t
     *                + sqrt(alphaBar_{t-1}) beta_t/(1 - alphaBar_t) x_0, t in 1..T.
     */
    public NDArray mean(NDArray xt, NDArray x0, int t) {
        Arguments.requireSame("xt", xt, "x0", x0);
        return Scalar.times(xt, schedule.posteriorMeanCoefXt(t)).add(Scalar.times(x0, schedule.posteriorMeanCoefX0(t)));
    }

    /** mu_q(x_t, x_0) as above with one step per row: t an integer array of shape (n,) with entries in 1..T. */
    public NDArray mean(NDArray xt, NDArray x0, NDArray t) {
        Arguments.requireSame("xt", xt, "x0", x0);
        NDArray coefXt = Coefficients.perStep(schedule.T(), schedule::posteriorMeanCoefXt, t, xt);
        NDArray coefX0 = Coefficients.perStep(schedule.T(), schedule::posteriorMeanCoefX0, t, xt);
        return xt.mul(coefXt).add(x0.mul(coefX0));
    }

    /** Sigma_q(t) = betaTilde_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t. */
    public double variance(int t) {
        return schedule.betaTilde(t);
    }

    /** mu(x_t, eps) = (x_t - beta_t / sqrt(1 - alphaBar_t) eps) / sqrt(alpha_t), t in 1..T. */
    public NDArray meanFromEpsilon(NDArray xt, NDArray eps, int t) {
        Arguments.requireSame("xt", xt, "eps", eps);
        double beta = schedule.beta(t);
        return Scalar.over(xt.sub(Scalar.times(eps, beta / Math.sqrt(1.0 - schedule.alphaBar(t)))), Math.sqrt(1.0 - beta));
    }

    /** mu(x_t, eps) as above with one step per row: t an integer array of shape (n,) with entries in 1..T. */
    public NDArray meanFromEpsilon(NDArray xt, NDArray eps, NDArray t) {
        Arguments.requireSame("xt", xt, "eps", eps);
        NDArray epsCoef = Coefficients.perStep(schedule.T(), s -> schedule.beta(s) / Math.sqrt(1.0 - schedule.alphaBar(s)), t, xt);
        NDArray scale = Coefficients.perStep(schedule.T(), s -> 1.0 / Math.sqrt(schedule.alpha(s)), t, xt);
        return xt.sub(eps.mul(epsCoef)).mul(scale);
    }
}
