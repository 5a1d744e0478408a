package diffusion.analytic;

import diffusion.schedule.NoiseSchedule;

/**
 * Closed forms for Gaussian data x_0 ~ N(mu, diag v) under a DDPM schedule, where the true reverse conditional is
 * Gaussian: with V_t,j = alphaBar_t v_j + 1 - alphaBar_t = Var(x_t,j), the optimal noise predictor
 * eps*(x_t) = sqrt(1 - alphaBar_t) (x_t - sqrt(alphaBar_t) mu) / V_t gives the moment Gamma_t and the conditional
 * variance Var(x_s | x_t) in closed form.
 */
public final class GaussianMoments {

    private GaussianMoments() {
    }

    /** Gamma_t = E ||eps*(x_t, t)||^2 / d = (1/d) sum_j (1 - alphaBar_t) / (alphaBar_t v_j + 1 - alphaBar_t), t in 1..T. */
    public static double gamma(NoiseSchedule schedule, int t, double[] variance) {
        double alphaBar = schedule.alphaBar(t);
        double sum = 0;
        for (double v : requireVariance(variance)) {
            sum += (1 - alphaBar) / (alphaBar * v + 1 - alphaBar);
        }
        return sum / variance.length;
    }

    /**
     * The true Var(x_s | x_t) averaged over dimensions, 0 <= s < t <= T: (1/d) sum_j [V_s,j - (alphaBar_t / alphaBar_s)
     * V_s,j^2 / V_t,j], the exact optimal isotropic variance of p(x_s | x_t) (V_0 = v).
     */
    public static double conditionalVariance(NoiseSchedule schedule, int s, int t, double[] variance) {
        if (!(s >= 0 && s < t)) {
            throw new IllegalArgumentException("s = " + s + ", t = " + t + ": need 0 <= s < t");
        }
        double alphaBarS = schedule.alphaBar(s);
        double alphaBarT = schedule.alphaBar(t);
        double sum = 0;
        for (double v : requireVariance(variance)) {
            double vs = alphaBarS * v + 1 - alphaBarS;
            double vt = alphaBarT * v + 1 - alphaBarT;
            sum += vs - alphaBarT / alphaBarS * vs * vs / vt;
        }
        return sum / variance.length;
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
