package diffusion.analytic;

import diffusion.schedule.NoiseSchedule;

/**
 * Closed forms for Gaussian data x_0 ~ N(mu, diag v) under a DDPM schedule, where the true reverse conditional is
 * Gaussian: with V_t,j = alphaBar_t v_j + 1 - alphaBar_t = Var(x_t,j), the optimal noise predictor
 * eps*(x_t) = sqrt(1 - alphaBar_t) (x_t - sqrt(alphaBar_t) mu) / V_t gives the moment Gamma_t and the conditional
 * variance Var(x_s | x_t) in closed form, per coordinate and averaged over coordinates.
 */
public final class GaussianMoments {

    private GaussianMoments() {
    }

    /** Gamma_t = E ||eps*(x_t, t)||^2 / d = (1/d) sum_j Gamma_t,j (gammas), t in 1..T. */
    public static double gamma(NoiseSchedule schedule, int t, double[] variance) {
        return average(gammas(schedule, t, variance));
    }

    /** Gamma_t,j = E[eps*_j(x_t, t)^2] = (1 - alphaBar_t) / (alphaBar_t v_j + 1 - alphaBar_t) per coordinate j, t in 1..T. */
    public static double[] gammas(NoiseSchedule schedule, int t, double[] variance) {
        double alphaBar = schedule.alphaBar(t);
        double[] gammas = new double[requireVariance(variance).length];
        for (int j = 0; j < variance.length; j++) {
            gammas[j] = (1 - alphaBar) / (alphaBar * variance[j] + 1 - alphaBar); // E[eps*_j^2] = (1 - aBar_t) / V_t,j
        }
        return gammas;
    }

    /**
     * The true Var(x_s | x_t) averaged over dimensions, 0 <= s < t <= T: (1/d) sum_j conditionalVariances_j, the exact
     * optimal isotropic variance of p(x_s | x_t).
     */
    public static double conditionalVariance(NoiseSchedule schedule, int s, int t, double[] variance) {
        return average(conditionalVariances(schedule, s, t, variance));
    }

    /**
     * The true Var(x_s,j | x_t) per coordinate j, 0 <= s < t <= T: V_s,j - (alphaBar_t / alphaBar_s) V_s,j^2 / V_t,j
     * (V_0 = v), the exact per-dimension variance of the Gaussian p(x_s | x_t).
     */
    public static double[] conditionalVariances(NoiseSchedule schedule, int s, int t, double[] variance) {
        if (!(s >= 0 && s < t)) {
            throw new IllegalArgumentException("s = " + s + ", t = " + t + ": need 0 <= s < t");
        }
        double alphaBarS = schedule.alphaBar(s);
        double alphaBarT = schedule.alphaBar(t);
        double[] variances = new double[requireVariance(variance).length];
        for (int j = 0; j < variance.length; j++) {
            double vs = alphaBarS * variance[j] + 1 - alphaBarS;
            double vt = alphaBarT * variance[j] + 1 - alphaBarT;
            variances[j] = vs - alphaBarT / alphaBarS * vs * vs / vt; // Var(x_s,j) - Cov(x_s,j, x_t,j)^2 / Var(x_t,j)
        }
        return variances;
    }

    private static double average(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    private static double[] requireVariance(double[] variance) {
        if (variance == null || variance.length < 1) {
            throw new IllegalArgumentException("variance has length 0: need d >= 1 variances");
        }
        for (int j = 0; j < variance.length; j++) {
            if (!(variance[j] > 0)) {
                throw new IllegalArgumentException("variance[" + j + "] = " + variance[j] + " must be > 0");
            }
        }
        return variance;
    }
}
