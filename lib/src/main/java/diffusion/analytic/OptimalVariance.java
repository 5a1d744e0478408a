package diffusion.analytic;

import diffusion.Arguments;
import diffusion.process.NonMarkovianPosterior;
import diffusion.schedule.NoiseSchedule;

/**
 * Bao et al.'s optimal reverse variance (Analytic-DPM, Theorem 1) for the reverse kernel whose mean is
 * q_lambda(x_{t-1} | x_t, E[x_0 | x_t]), on any schedule (a sub-schedule gives any trajectory):
 * sigma*_t^2 = lambda_t^2 + c_t^2 E tr Cov(x_0 | x_t) / d, with lambda_t^2 = eta^2 betaTilde_t,
 * c_t = sqrt(alphaBar_{t-1}) - sqrt(1 - alphaBar_{t-1} - lambda_t^2) sqrt(alphaBar_t / (1 - alphaBar_t)) and, by
 * Tweedie, E tr Cov(x_0 | x_t) / d = (1 - alphaBar_t) / alphaBar_t (1 - Gamma_t), Gamma_t = E ||eps*(x_t, t)||^2 / d.
 * Theorem 2 bounds it: 0 <= E tr Cov(x_0 | x_t) / d <= min((1 - alphaBar_t) / alphaBar_t, r^2) for data in a box of
 * half-width r; estimates of Gamma_t are clipped to these bounds.
 *
 * <p>The diagonal case (Bao et al. 2022, Extended Analytic-DPM, with the exact mean): the same argument per coordinate,
 * Var(x_{t-1,j} | x_t) = lambda_t^2 + c_t^2 Var(x_0j | x_t) and E Var(x_0j | x_t) = (1 - alphaBar_t) / alphaBar_t
 * (1 - Gamma_t,j) with Gamma_t,j = E[eps*_j(x_t, t)^2], gives sigma*_t,j^2 = the scalar formula at Gamma_t,j, and
 * Theorem 2's bounds hold per coordinate; the isotropic sigma*_t^2 is its average over j.
 */
public final class OptimalVariance {

    private final NoiseSchedule schedule;
    private final NonMarkovianPosterior posterior;
    private final double halfRange;

    /**
     * The optimal variance on schedule for the process with eta in [0, 1] (1: DDPM, 0: DDIM) and data in
     * [a, b]^d with halfRange r = (b - a) / 2 (Double.POSITIVE_INFINITY for unbounded data).
     */
    public OptimalVariance(NoiseSchedule schedule, double eta, double halfRange) {
        Arguments.nonNull("schedule", schedule);
        if (!(halfRange > 0)) {
            throw new IllegalArgumentException("halfRange = " + halfRange + " must be > 0 (POSITIVE_INFINITY for unbounded data)");
        }
        this.schedule = schedule;
        this.posterior = new NonMarkovianPosterior(schedule, eta);
        this.halfRange = halfRange;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public double eta() {
        return posterior.eta();
    }

    /** lambda_t^2 = eta^2 betaTilde_t: the variance of q_lambda(x_{t-1} | x_t, x_0), t in 1..T. */
    public double lambdaSquared(int t) {
        schedule.requireStep("t", t);
        return posterior.lambdaSquared(t, t - 1);
    }

    /** c_t = sqrt(alphaBar_{t-1}) - sqrt(1 - alphaBar_{t-1} - lambda_t^2) sqrt(alphaBar_t / (1 - alphaBar_t)): the weight of x_0 in the mean. */
    public double x0Coefficient(int t) {
        schedule.requireStep("t", t);
        double alphaBar = schedule.alphaBar(t);
        return Math.sqrt(schedule.alphaBar(t - 1)) - posterior.noiseCoefficient(t, t - 1) * Math.sqrt(alphaBar / (1 - alphaBar));
    }

    /** E tr Cov(x_0 | x_t) / d = (1 - alphaBar_t) / alphaBar_t (1 - Gamma_t), unclipped. */
    public static double posteriorVariance(NoiseSchedule schedule, int t, double gamma) {
        double alphaBar = schedule.alphaBar(t);
        return (1 - alphaBar) / alphaBar * (1 - gamma);
    }

    /** sigma*_t^2 = lambda_t^2 + c_t^2 (1 - alphaBar_t) / alphaBar_t (1 - Gamma_t), unclipped. */
    public double unclipped(int t, double gamma) {
        double c = x0Coefficient(t);
        return lambdaSquared(t) + c * c * posteriorVariance(schedule, t, gamma);
    }

    /** The lower bound lambda_t^2 (Gamma_t <= 1). */
    public double lower(int t) {
        return lambdaSquared(t);
    }

    /** The upper bound lambda_t^2 + c_t^2 min((1 - alphaBar_t) / alphaBar_t, r^2) (Gamma_t >= 0; data in a box of half-width r). */
    public double upper(int t) {
        double c = x0Coefficient(t);
        double alphaBar = schedule.alphaBar(t);
        return lambdaSquared(t) + c * c * Math.min((1 - alphaBar) / alphaBar, halfRange * halfRange);
    }

    /** sigma*_t^2 clipped to [lower(t), upper(t)], for a finite estimate Gamma_t. */
    public double sigmaSquared(int t, double gamma) {
        if (!Double.isFinite(gamma)) {
            throw new IllegalArgumentException("gamma = " + gamma + " must be finite");
        }
        return Math.min(Math.max(unclipped(t, gamma), lower(t)), upper(t));
    }

    /** sigma*_t,j^2 = sigmaSquared(t, Gamma_t,j) per coordinate j: the diagonal optimal variance, for finite estimates Gamma_t,j. */
    public double[] sigmaSquared(int t, double[] gamma) {
        Arguments.nonNull("gamma", gamma);
        double[] variances = new double[gamma.length];
        for (int j = 0; j < gamma.length; j++) {
            variances[j] = sigmaSquared(t, gamma[j]);
        }
        return variances;
    }
}
