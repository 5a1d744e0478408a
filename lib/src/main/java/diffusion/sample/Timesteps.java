package diffusion.sample;

import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;
import java.util.Arrays;

/**
 * An increasing sub-sequence 1 <= tau_1 < ... < tau_K <= T of a schedule's steps (tau_0 = 0 stands for the data).
 * A DDPM restricted to it is again a DDPM, with alphaBar'_k = alphaBar_{tau_k} (subSchedule()), so every bound and
 * sampler of the library runs on it unchanged.
 */
public final class Timesteps {

    private final NoiseSchedule schedule;
    private final int[] tau; // tau[k] for k = 0..K, tau[0] = 0
    private final NoiseSchedule subSchedule;

    private Timesteps(NoiseSchedule schedule, int[] steps) {
        this.schedule = schedule;
        this.tau = new int[steps.length + 1];
        System.arraycopy(steps, 0, tau, 1, steps.length);
        double[] alphaBars = new double[steps.length];
        for (int k = 1; k < tau.length; k++) {
            alphaBars[k - 1] = schedule.alphaBar(tau[k]);
        }
        this.subSchedule = NoiseSchedule.fromAlphaBar(alphaBars);
    }

    /** The sub-sequence given explicitly: a non-empty, strictly increasing list of steps in 1..T. */
    public static Timesteps of(NoiseSchedule schedule, int... steps) {
        if (steps == null || steps.length == 0) {
            throw new IllegalArgumentException("steps is empty: a timestep sequence needs K >= 1 steps in 1.." + schedule.T());
        }
        for (int k = 0; k < steps.length; k++) {
            if (steps[k] < 1 || steps[k] > schedule.T()) {
                throw new IllegalArgumentException("steps[" + k + "] = " + steps[k] + ": each step must lie in 1.." + schedule.T());
            }
            if (k > 0 && steps[k] <= steps[k - 1]) {
                throw new IllegalArgumentException("steps[" + k + "] = " + steps[k] + " <= steps[" + (k - 1) + "] = " + steps[k - 1]
                        + ": the timestep sequence must be strictly increasing");
            }
        }
        return new Timesteps(schedule, steps.clone());
    }

    /** Every step, tau_k = k for k = 1..T. */
    public static Timesteps full(NoiseSchedule schedule) {
        return uniform(schedule, schedule.T());
    }

    /** Uniform spacing: tau_k = 1 + round((k - 1)(T - 1) / (K - 1)), so tau_1 = 1 and tau_K = T (tau_1 = T if K = 1). */
    public static Timesteps uniform(NoiseSchedule schedule, int K) {
        return spaced(schedule, K, 1);
    }

    /** Quadratic spacing (Song et al.): tau_k = 1 + round(((k - 1)/(K - 1))^2 (T - 1)), raised where needed to stay increasing. */
    public static Timesteps quadratic(NoiseSchedule schedule, int K) {
        return spaced(schedule, K, 2);
    }

    private static Timesteps spaced(NoiseSchedule schedule, int K, int power) {
        int T = schedule.T();
        Arguments.atLeast("K", K, 1);
        if (K > T) {
            throw new IllegalArgumentException("K = " + K + " must be <= T = " + T);
        }
        int[] steps = new int[K];
        for (int k = 1; k <= K; k++) {
            double u = K == 1 ? 1.0 : (k - 1.0) / (K - 1);
            int step = 1 + (int) Math.round(Math.pow(u, power) * (T - 1));
            steps[k - 1] = k == 1 ? step : Math.max(step, steps[k - 2] + 1); // strictly increasing
        }
        return of(schedule, steps);
    }

    /** The full schedule the steps index. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** The DDPM on the sub-sequence: alphaBar'_k = alphaBar_{tau_k}, k = 1..K (one instance per Timesteps). */
    public NoiseSchedule subSchedule() {
        return subSchedule;
    }

    /** K, the number of steps. */
    public int K() {
        return tau.length - 1;
    }

    /** tau_k, k in 0..K (tau_0 = 0). */
    public int tau(int k) {
        if (k < 0 || k > K()) {
            throw new IllegalArgumentException("k = " + k + ": must lie in 0.." + K());
        }
        return tau[k];
    }

    /** tau_1..tau_K as a new array. */
    public int[] steps() {
        return Arrays.copyOfRange(tau, 1, tau.length);
    }

    @Override
    public String toString() {
        return "Timesteps[K=" + K() + " of T=" + schedule.T() + "]";
    }
}
