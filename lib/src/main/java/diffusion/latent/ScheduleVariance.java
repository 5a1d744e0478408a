package diffusion.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.data.DataSource;
import diffusion.score.ScoreModel;

/**
 * What VDM learns the schedule for (Kingma et al. 2021, section 5.2: the end points fix L_inf, the interior only the
 * estimator's variance). The single-draw estimator Lhat = 1/2 gamma'(t) e^{-gamma(t)} ||x - xhat(z_t)||^2, t ~ U[0, 1]
 * (ContinuousBound.draws), has, with e_k(g) = E||x - xhat(z_v)||^k at v = SNR = e^{-g},
 * E Lhat = 1/2 int_{gamma0}^{gamma1} e^{-g} e_2(g) dg (the same for every schedule with these end points) and
 * E Lhat^2 = 1/4 int_0^1 gamma'(t)^2 e^{-2 gamma(t)} e_4(gamma(t)) dt. By Cauchy-Schwarz
 * E Lhat^2 &gt;= (1/2 int e^{-g} sqrt(e_4(g)) dg)^2, with equality when gamma'(t) e^{-gamma(t)} sqrt(e_4(gamma(t))) is
 * constant in t: the best schedule crosses fast the log-SNRs where the denoising error is small. e_2 and e_4 are
 * tabulated on increasing log-SNR points gamma_k and interpolated linearly in log e_k.
 */
public final class ScheduleVariance {

    /** Quadrature points of every integral (midpoint rule in t, trapezoid in g). */
    private static final int QUADRATURE = 4000;
    /** Central-difference step of fit's gradient, in the packed (log) weights. */
    private static final double DIFFERENCE = 1e-5;

    private final double[] gammas;
    private final double[] logE2;
    private final double[] logE4;

    private ScheduleVariance(double[] gammas, double[] e2, double[] e4) {
        this.gammas = gammas;
        this.logE2 = new double[gammas.length];
        this.logE4 = new double[gammas.length];
        for (int k = 0; k < gammas.length; k++) {
            logE2[k] = Math.log(Arguments.positive("e2[" + k + "]", e2[k]));
            logE4[k] = Math.log(Arguments.positive("e4[" + k + "]", e4[k]));
        }
    }

    /**
     * The exact tables for data N(mu, diag variance) with the exact denoiser, at `points` &gt;= 2 log-SNRs from gamma0
     * to gamma1: each coordinate's error is N(0, a_j), a_j = variance_j / (1 + v variance_j), so
     * e_2 = sum_j a_j and e_4 = (sum_j a_j)^2 + 2 sum_j a_j^2.
     */
    public static ScheduleVariance gaussian(double[] variance, double gamma0, double gamma1, int points) {
        Arguments.finite("variance", Arguments.nonNull("variance", variance));
        double[] gammas = grid(gamma0, gamma1, points);
        double[] e2 = new double[points];
        double[] e4 = new double[points];
        for (int k = 0; k < points; k++) {
            double v = Math.exp(-gammas[k]);
            double sum = 0;
            double squares = 0;
            for (int j = 0; j < variance.length; j++) {
                double a = Arguments.positive("variance[" + j + "]", variance[j]) / (1 + v * variance[j]); // a_j
                sum += a;
                squares += a * a;
            }
            e2[k] = sum;
            e4[k] = sum * sum + 2 * squares;
        }
        return new ScheduleVariance(gammas, e2, e4);
    }

    /**
     * Monte Carlo tables for a model whose kernel is a MonotoneGamma (its denoiser, the exact one of an oracle say):
     * at `points` &gt;= 2 times t_k = k / (points - 1), the means of ||x - xhat(z_t)||^2 and ^4 over m fresh pairs
     * (x, eps) each (seeded), tabulated at gamma(t_k).
     */
    public static ScheduleVariance estimate(NDManager manager, ScoreModel model, DataSource data, int points, int m, long seed) {
        Arguments.allNonNull("manager, model, data", manager, model, data);
        if (!(model.kernel() instanceof MonotoneGamma schedule)) {
            throw new IllegalArgumentException("model's kernel is " + model.kernel() + ": the tables need a MonotoneGamma");
        }
        Arguments.size("points", points, 2);
        Noise noise = Noise.seeded(seed);
        double[] gammas = new double[points];
        double[] e2 = new double[points];
        double[] e4 = new double[points];
        for (int k = 0; k < points; k++) {
            double t = k / (points - 1.0);
            gammas[k] = schedule.gamma(t);
            try (NDManager step = manager.newSubManager()) {
                // draws are 1/2 gamma' SNR ||x - xhat||^2; dividing by that factor leaves ||x - xhat||^2
                NDArray error = ContinuousBound.draws(step, model, data, t, m, seed + 1 + k, noise)
                        .div(0.5 * schedule.gammaDerivative(t) * schedule.snr(t));
                e2[k] = error.mean().getFloat();
                e4[k] = error.square().mean().getFloat();
            }
        }
        return new ScheduleVariance(gammas, e2, e4);
    }

    private static double[] grid(double gamma0, double gamma1, int points) {
        Arguments.finite("gamma0", gamma0);
        Arguments.finite("gamma1", gamma1);
        if (!(gamma1 > gamma0)) {
            throw new IllegalArgumentException("gamma1 = " + gamma1 + " <= gamma0 = " + gamma0 + ": the log-SNR range must increase");
        }
        Arguments.size("points", points, 2);
        double[] gammas = new double[points];
        for (int k = 0; k < points; k++) {
            gammas[k] = gamma0 + (gamma1 - gamma0) * k / (points - 1.0);
        }
        return gammas;
    }

    /** E Lhat = L_inf = 1/2 int e^{-g} e_2(g) dg over the tables' range (the trapezoid rule). */
    public double mean() {
        return integralInGamma(g -> 0.5 * Math.exp(-g) * Math.exp(interpolate(logE2, g)));
    }

    /** The least E Lhat^2 of any schedule with the tables' end points: (1/2 int e^{-g} sqrt(e_4(g)) dg)^2. */
    public double leastSecondMoment() {
        double root = 0.5 * integralInGamma(this::rootDensity);
        return root * root;
    }

    /**
     * The schedule that attains leastSecondMoment, at times ts in [0, 1]: gamma*(t) inverts
     * t(g) = F(g) / F(gamma1), F(g) = int_{gamma0}^g e^{-u} sqrt(e_4(u)) du, so that gamma*' e^{-gamma*} sqrt(e_4(gamma*)) = F(gamma1)
     * is constant (cumulative trapezoid rule, linear interpolation between its points).
     */
    public double[] optimalGammas(double[] ts) {
        Arguments.nonNull("ts", ts);
        double low = gammas[0];
        double h = (gammas[gammas.length - 1] - low) / QUADRATURE;
        double[] cumulative = new double[QUADRATURE + 1];
        for (int i = 1; i <= QUADRATURE; i++) {
            cumulative[i] = cumulative[i - 1] + 0.5 * h * (rootDensity(low + (i - 1) * h) + rootDensity(low + i * h));
        }
        double[] out = new double[ts.length];
        for (int j = 0; j < ts.length; j++) {
            double target = Arguments.finite("ts[" + j + "]", ts[j]) * cumulative[QUADRATURE];
            if (ts[j] < 0 || ts[j] > 1) {
                throw new IllegalArgumentException("ts[" + j + "] = " + ts[j] + " must lie in [0, 1]");
            }
            int k = java.util.Arrays.binarySearch(cumulative, target);
            int upper = k >= 0 ? Math.max(1, k) : Math.min(QUADRATURE, Math.max(1, -k - 1));
            double w = (target - cumulative[upper - 1]) / (cumulative[upper] - cumulative[upper - 1]);
            out[j] = low + (upper - 1 + w) * h;
        }
        return out;
    }

    /** e^{-g} sqrt(e_4(g)), the density of t along g in the best schedule. */
    private double rootDensity(double g) {
        return Math.exp(-g) * Math.exp(0.5 * interpolate(logE4, g));
    }

    /** E Lhat^2 = 1/4 int_0^1 gamma'(t)^2 e^{-2 gamma(t)} e_4(gamma(t)) dt (the midpoint rule), for a schedule on the tables' range. */
    public double secondMoment(MonotoneGamma schedule) {
        Arguments.nonNull("schedule", schedule);
        double low = gammas[0];
        double high = gammas[gammas.length - 1];
        if (Math.abs(schedule.gamma0() - low) > 1e-9 * (1 + Math.abs(low)) || Math.abs(schedule.gamma1() - high) > 1e-9 * (1 + Math.abs(high))) {
            throw new IllegalArgumentException("schedule runs from gamma = " + schedule.gamma0() + " to " + schedule.gamma1()
                    + " but the tables from " + low + " to " + high + ": the end points must be the same");
        }
        double sum = 0;
        for (int i = 0; i < QUADRATURE; i++) {
            double t = (i + 0.5) / QUADRATURE;
            double g = Math.min(high, Math.max(low, schedule.gamma(t)));
            double rate = schedule.gammaDerivative(t) * Math.exp(-g); // gamma'(t) e^{-gamma(t)} = -SNR'(t)
            sum += 0.25 * rate * rate * Math.exp(interpolate(logE4, g));
        }
        return sum / QUADRATURE;
    }

    /** Var Lhat = E Lhat^2 - L_inf^2 for the schedule. */
    public double variance(MonotoneGamma schedule) {
        double mean = mean();
        return secondMoment(schedule) - mean * mean;
    }

    /**
     * The schedule of start's width with start's end points that minimises E Lhat^2: Adam (learning rate `rate`,
     * `steps` &gt;= 1 steps) on the packed weights with w1, w2, w3 as logarithms (so they stay positive and gamma
     * monotone), the gradient of log E Lhat^2 by central differences (the objective is a deterministic quadrature).
     * Returns the best schedule seen.
     */
    public MonotoneGamma fit(MonotoneGamma start, int steps, double rate) {
        Arguments.nonNull("start", start);
        Arguments.size("steps", steps, 1);
        Arguments.positive("rate", Arguments.finite("rate", rate));
        double[] theta = unconstrained(start.packedWeights());
        if (theta.length == 2) {
            throw new IllegalArgumentException("start has no hidden units: a linear schedule has no interior to learn");
        }
        double[] first = new double[theta.length];
        double[] second = new double[theta.length];
        MonotoneGamma best = start;
        double bestValue = secondMoment(start);
        for (int step = 1; step <= steps; step++) {
            double[] gradient = new double[theta.length];
            for (int i = 0; i < theta.length; i++) {
                double keep = theta[i];
                theta[i] = keep + DIFFERENCE;
                double up = Math.log(secondMoment(schedule(start, theta)));
                theta[i] = keep - DIFFERENCE;
                double down = Math.log(secondMoment(schedule(start, theta)));
                theta[i] = keep;
                gradient[i] = (up - down) / (2 * DIFFERENCE);
            }
            for (int i = 0; i < theta.length; i++) { // Adam, beta1 = 0.9, beta2 = 0.999
                first[i] = 0.9 * first[i] + 0.1 * gradient[i];
                second[i] = 0.999 * second[i] + 0.001 * gradient[i] * gradient[i];
                double corrected = first[i] / (1 - Math.pow(0.9, step));
                theta[i] -= rate * corrected / (Math.sqrt(second[i] / (1 - Math.pow(0.999, step))) + 1e-12);
            }
            MonotoneGamma candidate = schedule(start, theta);
            double value = secondMoment(candidate);
            if (value < bestValue) {
                best = candidate;
                bestValue = value;
            }
        }
        return best;
    }

    /** [log w1, b1, log w2, b2, log w3] of packed weights [w1, b1, w2, b2, w3] (a zero weight becomes log of 1e-12). */
    private static double[] unconstrained(double[] packed) {
        int width = (packed.length - 2) / 3;
        double[] theta = packed.clone();
        for (int i = 0; i < packed.length; i++) {
            if (isPositiveWeight(i, width)) {
                theta[i] = Math.log(Math.max(packed[i], 1e-12));
            }
        }
        return theta;
    }

    private static MonotoneGamma schedule(MonotoneGamma start, double[] theta) {
        int width = (theta.length - 2) / 3;
        double[] packed = theta.clone();
        for (int i = 0; i < theta.length; i++) {
            if (isPositiveWeight(i, width)) {
                packed[i] = Math.exp(theta[i]);
            }
        }
        return MonotoneGamma.packed(start.gamma0(), start.gamma1(), packed);
    }

    /** w1 (index 0), w2 (2..1+width) and w3 (2+2 width..) must stay positive; b1 and b2 are free. */
    private static boolean isPositiveWeight(int i, int width) {
        return i == 0 || (i >= 2 && i < 2 + width) || i >= 2 + 2 * width;
    }

    private double integralInGamma(java.util.function.DoubleUnaryOperator f) {
        double low = gammas[0];
        double h = (gammas[gammas.length - 1] - low) / QUADRATURE;
        double sum = 0.5 * (f.applyAsDouble(low) + f.applyAsDouble(low + QUADRATURE * h));
        for (int i = 1; i < QUADRATURE; i++) {
            sum += f.applyAsDouble(low + i * h);
        }
        return sum * h;
    }

    /** Linear interpolation of values (on gammas) at g within the tables' range. */
    private double interpolate(double[] values, double g) {
        int k = java.util.Arrays.binarySearch(gammas, g);
        if (k >= 0) {
            return values[k];
        }
        int upper = Math.min(gammas.length - 1, Math.max(1, -k - 1));
        double w = (g - gammas[upper - 1]) / (gammas[upper] - gammas[upper - 1]);
        return values[upper - 1] + w * (values[upper] - values[upper - 1]);
    }
}
