package diffusion.schedule;

import diffusion.Arguments;
import java.util.Arrays;

/**
 * A discrete DDPM noise schedule beta_1..beta_T, with t 1-indexed as in the lectures
 * (x_0 is data, x_T is noise, alphaBar_0 = 1). Immutable; every quantity is a closed form in the
 * betas, computed once in double precision.
 */
public final class NoiseSchedule implements PerturbationKernel {

    private final double[] beta; // beta[t] for t = 1..T; beta[0] is unused (0)
    private final double[] alphaBar; // alphaBar[t] for t = 0..T, alphaBar[0] = 1

    private NoiseSchedule(double[] betas) {
        int T = betas.length;
        beta = new double[T + 1];
        alphaBar = new double[T + 1];
        alphaBar[0] = 1.0;
        for (int t = 1; t <= T; t++) {
            beta[t] = betas[t - 1];
            alphaBar[t] = alphaBar[t - 1] * (1.0 - beta[t]); // alphaBar_t = prod_{i<=t} (1 - beta_i)
        }
        if (!(alphaBar[1] < 1)) {
            throw new IllegalArgumentException("beta_1 = " + beta[1] + " leaves alphaBar_1 = 1 in double precision, an"
                    + " infinite SNR_1 and a zero noise level (a beta_1 below about 5.6e-17 is lost in 1 - beta_1)");
        }
        if (!(alphaBar[T] > 0)) {
            throw new IllegalArgumentException("the betas give alphaBar_T = 0 in double precision (T = " + T
                    + "): m(T) = 0 and sigma(T) would be infinite; use smaller betas or fewer steps");
        }
    }

    /** Schedule from explicit betas (beta_1..beta_T), each in the open interval (0, 1). */
    public static NoiseSchedule fromBetas(double... betas) {
        if (betas == null || betas.length < 1) {
            throw new IllegalArgumentException("T = " + (betas == null ? 0 : betas.length) + ": need T >= 1 betas");
        }
        requireT(betas.length);
        for (int i = 0; i < betas.length; i++) {
            double b = betas[i];
            if (!(b > 0.0 && b < 1.0)) {
                throw new IllegalArgumentException("beta_" + (i + 1) + " = " + b + ": each beta_t must lie in (0, 1)");
            }
        }
        return new NoiseSchedule(betas.clone());
    }

    /**
     * Schedule from alphaBar_1..alphaBar_T, which must be strictly decreasing inside (0, 1):
     * beta_t = 1 - alphaBar_t / alphaBar_{t-1}.
     */
    public static NoiseSchedule fromAlphaBar(double... alphaBars) {
        Arguments.nonNull("alphaBars", alphaBars);
        if (alphaBars == null || alphaBars.length < 1) {
            throw new IllegalArgumentException("T = " + (alphaBars == null ? 0 : alphaBars.length) + ": need T >= 1 values");
        }
        requireT(alphaBars.length);
        double[] betas = new double[alphaBars.length];
        double previous = 1.0;
        for (int i = 0; i < alphaBars.length; i++) {
            double a = alphaBars[i];
            if (!(a > 0.0 && a < previous)) {
                throw new IllegalArgumentException("alphaBar_" + (i + 1) + " = " + a
                        + ": alphaBar must be strictly decreasing in (0, 1), with alphaBar_" + i + " = " + previous);
            }
            betas[i] = 1.0 - a / previous; // beta_t = 1 - alphaBar_t / alphaBar_{t-1}
            previous = a;
        }
        return fromBetas(betas);
    }

    /** Linear schedule of Ho et al.: beta_t from beta_1 to beta_T evenly spaced (1e-4 to 0.02 for T = 1000). */
    public static NoiseSchedule linear(int T, double beta1, double betaT) {
        requireT(T);
        if (!(beta1 > 0 && beta1 <= betaT && betaT < 1)) {
            throw new IllegalArgumentException("beta1 = " + beta1 + ", betaT = " + betaT + ": need 0 < beta1 <= betaT < 1");
        }
        double[] betas = new double[T];
        for (int t = 1; t <= T; t++) {
            betas[t - 1] = T == 1 ? beta1 : beta1 + (betaT - beta1) * (t - 1) / (T - 1); // evenly spaced
        }
        return built("beta1 = " + beta1 + ", betaT = " + betaT, betas);
    }

    /** Ho et al.'s linear schedule scaled to T steps: beta_1 = 1e-4 * 1000 / T, beta_T = 0.02 * 1000 / T. */
    public static NoiseSchedule linear(int T) {
        requireT(T);
        double scale = 1000.0 / T;
        return linear(T, 1e-4 * scale, Math.min(0.02 * scale, 0.999));
    }

    /**
     * Cosine schedule of Nichol and Dhariwal: alphaBar_t = f(t) / f(0), f(t) = cos^2(((t/T + s) / (1 + s)) pi/2),
     * with betas clipped at maxBeta (0.999 in the paper) to avoid the singularity at t = T.
     */
    public static NoiseSchedule cosine(int T, double s, double maxBeta) {
        requireT(T);
        Arguments.nonNegative("s", s);
        if (!(maxBeta > 0 && maxBeta < 1)) {
            throw new IllegalArgumentException("maxBeta = " + maxBeta + ": must lie in (0, 1)");
        }
        double[] betas = new double[T];
        for (int t = 1; t <= T; t++) {
            double ratio = cosineF(t, T, s) / cosineF(t - 1, T, s); // alphaBar_t / alphaBar_{t-1}
            betas[t - 1] = Math.min(1.0 - ratio, maxBeta);
        }
        return built("s = " + s + ", maxBeta = " + maxBeta, betas);
    }

    /** Cosine schedule with the paper's defaults s = 0.008 and betas clipped at 0.999. */
    public static NoiseSchedule cosine(int T) {
        return cosine(T, 0.008, 0.999);
    }

    /** fromBetas(betas), a refusal restated in terms of the caller's parameters (described by arguments). */
    private static NoiseSchedule built(String arguments, double[] betas) {
        try {
            return fromBetas(betas);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(arguments + " give no valid schedule: " + e.getMessage(), e);
        }
    }

    private static double cosineF(int t, int T, double s) {
        double c = Math.cos(((double) t / T + s) / (1 + s) * Math.PI / 2);
        return c * c; // f(t) = cos^2(((t/T + s)/(1 + s)) pi/2)
    }

    /** Accepts 1 &lt;= T &lt;= Arguments.MAX_ENTRIES steps. */
    private static void requireT(int T) {
        Arguments.size("T", T, 1);
    }

    /** T, the number of diffusion steps. */
    public int T() {
        return beta.length - 1;
    }

    /** beta_t, t in 1..T. */
    public double beta(int t) {
        return beta[check(t, 1)];
    }

    /** alpha_t = 1 - beta_t, t in 1..T. */
    public double alpha(int t) {
        return 1.0 - beta(t);
    }

    /** alphaBar_t = prod_{i=1}^t alpha_i, t in 0..T (alphaBar_0 = 1). */
    public double alphaBar(int t) {
        return alphaBar[check(t, 0)];
    }

    /** SNR_t = alphaBar_t / (1 - alphaBar_t), t in 1..T. */
    public double snr(int t) {
        check(t, 1);
        return alphaBar[t] / (1.0 - alphaBar[t]);
    }

    /** Posterior variance betaTilde_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t, t in 1..T. */
    public double betaTilde(int t) {
        check(t, 1);
        return (1.0 - alphaBar[t - 1]) / (1.0 - alphaBar[t]) * beta[t];
    }

    /** Coefficient of x_0 in the posterior mean: sqrt(alphaBar_{t-1}) beta_t / (1 - alphaBar_t), t in 1..T. */
    public double posteriorMeanCoefX0(int t) {
        check(t, 1);
        return Math.sqrt(alphaBar[t - 1]) * beta[t] / (1.0 - alphaBar[t]);
    }

    /** Coefficient of x_t in the posterior mean: sqrt(alpha_t) (1 - alphaBar_{t-1}) / (1 - alphaBar_t), t in 1..T. */
    public double posteriorMeanCoefXt(int t) {
        check(t, 1);
        return Math.sqrt(1.0 - beta[t]) * (1.0 - alphaBar[t - 1]) / (1.0 - alphaBar[t]);
    }

    /** The betas beta_1..beta_T as a new array. */
    public double[] betas() {
        return Arrays.copyOfRange(beta, 1, beta.length);
    }

    /** m(t) = sqrt(alphaBar_t) for integer t in 0..T. */
    @Override
    public double meanScale(double t) {
        return Math.sqrt(alphaBar((int) requireTime("t", t)));
    }

    /** s(t) = sqrt(1 - alphaBar_t) for integer t in 0..T. */
    @Override
    public double std(double t) {
        return Math.sqrt(1.0 - alphaBar((int) requireTime("t", t)));
    }

    /** T. */
    @Override
    public double tMax() {
        return T();
    }

    @Override
    public boolean discrete() {
        return true;
    }

    /** x_T ~ N(0, I), as Ho et al. sample it (s(T)^2 = 1 - alphaBar_T is within 1e-4 of 1 for the usual schedules). */
    @Override
    public double priorStd(double t) {
        return 1;
    }

    /** The integer step t given as a double; rejects non-integers. */
    public static int step(double t) {
        if (t != Math.rint(t) || Math.abs(t) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("t = " + t + ": a discrete schedule needs an integer step");
        }
        return (int) t;
    }

    /** Accepts a step t in 1..T (one with a beta_t), naming parameter otherwise. */
    public int requireStep(String parameter, int t) {
        if (t < 1 || t > T()) {
            throw new IllegalArgumentException(parameter + " = " + t + " must lie in 1.." + T());
        }
        return t;
    }

    private int check(int t, int first) {
        if (t < first || t > T()) {
            throw new IllegalArgumentException("t = " + t + ": must lie in " + first + ".." + T());
        }
        return t;
    }

    @Override
    public String toString() {
        return "NoiseSchedule[T=" + T() + ", beta_1=" + beta[1] + ", beta_T=" + beta[T()] + "]";
    }
}
