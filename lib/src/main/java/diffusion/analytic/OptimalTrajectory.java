package diffusion.analytic;

import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.Timesteps;
import java.util.Arrays;

/**
 * Bao et al.'s optimal trajectory (Analytic-DPM, section 4). With the optimal variance, a KL term of the bound on a
 * trajectory costs J(s, t) = d/2 log(sigma*^2_{s|t} / lambda^2_{s|t}) (the mean's error is what sigma*^2 - lambda^2
 * adds), and the Gaussian decoder costs L_0(t) = d/2 (1 + log(2 pi sigma*^2_{0|t})); so on 0 = tau_0 &lt; tau_1 &lt; ...
 * &lt; tau_K = T the bound is L_T + L_0(tau_1) + sum_{k=2}^K J(tau_{k-1}, tau_k), and the K-step trajectory that
 * minimises it is found by dynamic programming over (step, time) in O(K T^2). Costs here are per dimension (the
 * argmin does not depend on d); sigma*^2 is OptimalVariance's, clipped to its bounds, with Gamma_t estimated once per t.
 */
public final class OptimalTrajectory {

    private final NoiseSchedule schedule;
    private final double[] decoder; // decoder[t] = L_0(t) / d, t = 1..T
    private final double[][] step; // step[s][t] = J(s, t) / d, 1 <= s < t <= T

    /**
     * Costs for schedule with eta in (0, 1] (eta = 0 has lambda = 0 and infinite costs), data in a box of half-width
     * halfRange (POSITIVE_INFINITY if unbounded), and gamma[t - 1] = Gamma_t for t = 1..T (EpsMoment.gammas).
     */
    public OptimalTrajectory(NoiseSchedule schedule, double eta, double halfRange, double[] gamma) {
        Arguments.allNonNull("schedule, gamma", schedule, gamma);
        Arguments.positive("eta", eta);
        int T = schedule.T();
        if (gamma.length != T) {
            throw new IllegalArgumentException("gamma has length " + gamma.length + ": need Gamma_t for every t = 1..T = " + T);
        }
        this.schedule = schedule;
        this.decoder = new double[T + 1];
        this.step = new double[T + 1][T + 1];
        Monitor monitor = Monitor.progress();
        monitor.start("trajectory costs", T);
        try {
            for (int t = 1; t <= T; t++) {
                double sigma0 = new OptimalVariance(NoiseSchedule.fromAlphaBar(schedule.alphaBar(t)), eta, halfRange).sigmaSquared(1, gamma[t - 1]);
                // L_0 / d = (1 + log(2 pi sigma*^2_{0|t})) / 2; a variance estimated as 0 (Gamma_t >= 1) leaves no decoder
                decoder[t] = sigma0 > 0 ? 0.5 * (1 + Math.log(2 * Math.PI * sigma0)) : Double.POSITIVE_INFINITY;
                for (int s = 1; s < t; s++) {
                    OptimalVariance pair = new OptimalVariance(NoiseSchedule.fromAlphaBar(schedule.alphaBar(s), schedule.alphaBar(t)), eta, halfRange);
                    step[s][t] = 0.5 * Math.log(pair.sigmaSquared(2, gamma[t - 1]) / pair.lambdaSquared(2)); // J(s, t) / d
                }
                monitor.step(t, t, null, "");
            }
        } finally {
            monitor.end();
        }
    }

    /** J(s, t) / d = log(sigma*^2_{s|t} / lambda^2_{s|t}) / 2, 1 &lt;= s &lt; t &lt;= T. */
    public double stepCost(int s, int t) {
        if (!(1 <= s && s < t && t <= schedule.T())) {
            throw new IllegalArgumentException("s = " + s + ", t = " + t + ": need 1 <= s < t <= T = " + schedule.T());
        }
        return step[s][t];
    }

    /** L_0(t) / d = (1 + log(2 pi sigma*^2_{0|t})) / 2, t in 1..T. */
    public double decoderCost(int t) {
        if (!(1 <= t && t <= schedule.T())) {
            throw new IllegalArgumentException("t = " + t + " must lie in 1..T = " + schedule.T());
        }
        return decoder[t];
    }

    /** (L_0(tau_1) + sum_{k=2}^K J(tau_{k-1}, tau_k)) / d: the bound less L_T, per dimension, on steps of this schedule. */
    public double cost(Timesteps steps) {
        if (steps.schedule() != schedule) {
            throw new IllegalArgumentException("the steps index " + steps.schedule() + ", not " + schedule);
        }
        double cost = decoder[steps.tau(1)];
        for (int k = 2; k <= steps.K(); k++) {
            cost += step[steps.tau(k - 1)][steps.tau(k)];
        }
        return cost;
    }

    /**
     * The K-step trajectory ending at tau_K = T with the least cost, 1 &lt;= K &lt;= T, by dynamic programming:
     * best_1(t) = L_0(t), best_k(t) = min_{s &lt; t} best_{k-1}(s) + J(s, t), and the path read back from T.
     */
    public Timesteps optimal(int K) {
        int T = schedule.T();
        Arguments.atLeast("K", K, 1);
        if (K > T) {
            throw new IllegalArgumentException("K = " + K + " must be <= T = " + T);
        }
        double[][] best = new double[K + 1][T + 1];
        int[][] previous = new int[K + 1][T + 1];
        System.arraycopy(decoder, 1, best[1], 1, T);
        for (int k = 2; k <= K; k++) {
            Arrays.fill(best[k], Double.POSITIVE_INFINITY);
            for (int t = k; t <= T; t++) {
                for (int s = k - 1; s < t; s++) {
                    double candidate = best[k - 1][s] + step[s][t];
                    if (candidate < best[k][t]) {
                        best[k][t] = candidate;
                        previous[k][t] = s;
                    }
                }
            }
        }
        int[] tau = new int[K];
        tau[K - 1] = T;
        for (int k = K; k >= 2; k--) {
            tau[k - 2] = previous[k][tau[k - 1]];
        }
        return Timesteps.of(schedule, tau);
    }
}
