package diffusion.loss;

import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;
import java.util.function.IntToDoubleFunction;

/**
 * The bound in closed form for Gaussian data x_0 ~ N(mu, diag v) and the Bayes-optimal mean: with the exact noise
 * predictor eps*, mu_theta(x_t) = mu_q(x_t, E[x_0 | x_t]), so mu_q(x_t, x_0) - mu_theta = c_t (x_0 - E[x_0 | x_t]) with
 * c_t = sqrt(alphaBar_{t-1}) beta_t / (1 - alphaBar_t), and E||x_0 - E[x_0 | x_t]||^2 = sum_j P_tj with the posterior
 * variance P_tj = v_j (1 - alphaBar_t) / (alphaBar_t v_j + 1 - alphaBar_t). Every term follows, for any fixed reverse
 * variance sigma_t^2.
 */
public final class GaussianDataBound {

    private GaussianDataBound() {
    }

    /** L_T = 1/2 sum_j [ -log(1 - alphaBar_T) + (1 - alphaBar_T) + alphaBar_T (mu_j^2 + v_j) - 1 ]. */
    public static double prior(NoiseSchedule schedule, double[] mean, double[] variance) {
        requireMoments(mean, variance);
        double alphaBar = schedule.alphaBar(schedule.T());
        double sum = 0;
        for (int j = 0; j < mean.length; j++) {
            sum += -Math.log(1 - alphaBar) + (1 - alphaBar) + alphaBar * (mean[j] * mean[j] + variance[j]) - 1;
        }
        return 0.5 * sum;
    }

    /**
     * The term at step t with reverse variance sigma_t^2 = sigmaSquared:
     * L_0 = 1/2 sum_j [log(2 pi sigma_1^2) + P_1j / sigma_1^2] at t = 1 (the Gaussian decoder), and
     * L_{t-1} = 1/2 sum_j [log(sigma_t^2 / betaTilde_t) + betaTilde_t / sigma_t^2 - 1 + c_t^2 P_tj / sigma_t^2] for t >= 2.
     */
    public static double term(NoiseSchedule schedule, double[] mean, double[] variance, int t, double sigmaSquared) {
        requireMoments(mean, variance);
        if (!(sigmaSquared > 0) || Double.isInfinite(sigmaSquared)) {
            throw new IllegalArgumentException("sigmaSquared = " + sigmaSquared + ": must be finite and > 0");
        }
        double alphaBar = schedule.alphaBar(t);
        double sum = 0;
        for (int j = 0; j < mean.length; j++) {
            double posterior = variance[j] * (1 - alphaBar) / (alphaBar * variance[j] + 1 - alphaBar); // Var[x_0j | x_t]
            if (t == 1) {
                sum += Math.log(2 * Math.PI * sigmaSquared) + posterior / sigmaSquared;
            } else {
                double betaTilde = schedule.betaTilde(t);
                double c = schedule.posteriorMeanCoefX0(t);
                sum += Math.log(sigmaSquared / betaTilde) + betaTilde / sigmaSquared - 1 + c * c * posterior / sigmaSquared;
            }
        }
        return Arguments.finiteResult("sigmaSquared", sigmaSquared, "L_" + (t - 1), 0.5 * sum);
    }

    /** The terms for t = 1..T (index t - 1) with reverse variances sigmaSquared(t). */
    public static double[] terms(NoiseSchedule schedule, double[] mean, double[] variance, IntToDoubleFunction sigmaSquared) {
        double[] terms = new double[schedule.T()];
        for (int t = 1; t <= schedule.T(); t++) {
            terms[t - 1] = term(schedule, mean, variance, t, sigmaSquared.applyAsDouble(t));
        }
        return terms;
    }

    /** The whole bound L_T + sum_t terms, nats per example. */
    public static double total(NoiseSchedule schedule, double[] mean, double[] variance, IntToDoubleFunction sigmaSquared) {
        double total = prior(schedule, mean, variance);
        for (double term : terms(schedule, mean, variance, sigmaSquared)) {
            total += term;
        }
        return total;
    }

    /** The true negative log-likelihood E[-log N(x_0; mu, diag v)] = 1/2 sum_j log(2 pi e v_j): what the bound bounds. */
    public static double entropy(double[] variance) {
        double sum = 0;
        requirePositive(variance);
        for (double v : variance) {
            sum += Math.log(2 * Math.PI * Math.E) + Math.log(v); // log(2 pi e v) without overflowing the product
        }
        return 0.5 * sum;
    }

    /** Means with finite squares and positive, finite variances, of one length >= 1. */
    private static void requireMoments(double[] mean, double[] variance) {
        Arguments.allNonNull("mean, variance", mean, variance);
        if (mean.length != variance.length || mean.length < 1) {
            throw new IllegalArgumentException("mean has length " + mean.length + " and variance " + variance.length
                    + ": they must match and be >= 1");
        }
        for (int j = 0; j < mean.length; j++) {
            Arguments.finiteResult("mean[" + j + "]", mean[j], "mean[" + j + "]^2", mean[j] * mean[j]);
        }
        requirePositive(variance);
    }

    private static void requirePositive(double[] variance) {
        Arguments.nonNull("variance", variance);
        for (int j = 0; j < variance.length; j++) {
            Arguments.positive("variance[" + j + "]", variance[j]);
        }
    }
}
