package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.process.Posterior;
import diffusion.process.Shapes;
import diffusion.schedule.NoiseSchedule;

/**
 * Song et al.'s non-Markovian forward process q_lambda: x_T ~ q(x_T | x_0) and, for t = T..2,
 * q_lambda(x_{t-1} | x_t, x_0) = N(sqrt(alphaBar_{t-1}) x_0 + sqrt(1 - alphaBar_{t-1} - lambda_t^2)
 * (x_t - sqrt(alphaBar_t) x_0) / sqrt(1 - alphaBar_t), lambda_t^2 I) with lambda_t^2 = eta^2 betaTilde_t. Every such
 * process keeps the DDPM marginals q(x_t | x_0) = N(sqrt(alphaBar_t) x_0, (1 - alphaBar_t) I); eta = 1 is the DDPM
 * posterior, eta = 0 is deterministic given x_0 and x_T (DDIM).
 */
public final class NonMarkovianPosterior {

    private final NoiseSchedule schedule;
    private final double eta;

    /** The process of a schedule with eta >= 0 (eta <= 1 keeps lambda_t^2 <= betaTilde_t, a valid variance). */
    public NonMarkovianPosterior(NoiseSchedule schedule, double eta) {
        Arguments.nonNegative("eta", eta);
        if (eta > 1) {
            throw new IllegalArgumentException("eta = " + eta + " must lie in [0, 1]: lambda_t^2 = eta^2 betaTilde_t needs "
                    + "1 - alphaBar_{t-1} - lambda_t^2 >= 0");
        }
        this.schedule = schedule;
        this.eta = eta;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public double eta() {
        return eta;
    }

    /** lambda_t^2 = eta^2 betaTilde_t, t in 1..T (0 at t = 1). */
    public double lambdaSquared(int t) {
        return eta * eta * schedule.betaTilde(t);
    }

    /** The coefficient of the noise direction: sqrt(1 - alphaBar_{t-1} - lambda_t^2), t in 1..T. */
    public double noiseCoefficient(int t) {
        return Math.sqrt(Math.max(0.0, 1.0 - schedule.alphaBar(t - 1) - lambdaSquared(t)));
    }

    /** The mean sqrt(alphaBar_{t-1}) x_0 + sqrt(1 - alphaBar_{t-1} - lambda_t^2) (x_t - sqrt(alphaBar_t) x_0) / sqrt(1 - alphaBar_t). */
    public NDArray mean(NDArray xt, NDArray x0, int t) {
        Shapes.requireSame("xt", xt, "x0", x0);
        NDArray eps = xt.sub(x0.mul(Math.sqrt(schedule.alphaBar(t)))).div(Math.sqrt(1.0 - schedule.alphaBar(t)));
        return x0.mul(Math.sqrt(schedule.alphaBar(t - 1))).add(eps.mul(noiseCoefficient(t)));
    }

    /**
     * The mean with x_0 replaced by x0(x_t, eps) = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t):
     * sqrt(alphaBar_{t-1}) x0(x_t, eps) + sqrt(1 - alphaBar_{t-1} - lambda_t^2) eps (the DDIM update, Song et al. eq. 12).
     */
    public NDArray meanFromEpsilon(NDArray xt, NDArray eps, int t) {
        NDArray x0 = new Posterior(schedule).x0FromEpsilon(xt, eps, t);
        return x0.mul(Math.sqrt(schedule.alphaBar(t - 1))).add(eps.mul(noiseCoefficient(t)));
    }

    /** One draw x_{t-1} = mean(x_t, x_0, t) + lambda_t z, for a standard normal z shaped like x_t. */
    public NDArray sample(NDArray xt, NDArray x0, int t, NDArray z) {
        Shapes.requireSame("xt", xt, "z", z);
        return mean(xt, x0, t).add(z.mul(Math.sqrt(lambdaSquared(t))));
    }
}
