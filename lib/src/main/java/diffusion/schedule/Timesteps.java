package diffusion.schedule;

import diffusion.Arguments;
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
        Arguments.allNonNull("schedule, steps", schedule, steps);
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

    /**
     * Uniform spacing, improved-diffusion's respacing rule (space_timesteps with one section) in 1-indexed steps:
     * tau_k = 1 + round(u_k), u_k = (k - 1) (T - 1) / (K - 1) accumulated as a sum of K - 1 float64 strides, rounded
     * half to even (Python's round), so tau_1 = 1 and tau_K = T. For K = 1, tau_1 = T (improved-diffusion takes step 1).
     */
    public static Timesteps uniform(NoiseSchedule schedule, int K) {
        return spaced(schedule, K, 1);
    }

    /**
     * Quadratic spacing: tau_k = 1 + round(((k - 1)/(K - 1))^2 (T - 1)), rounded half to even, raised where needed to stay
     * increasing. (DDIM's own code spaces (0.8 T)^(1/2) instead and starts at 0; this keeps tau_1 = 1 and tau_K = T.)
     */
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
        if (K == 1) {
            steps[0] = T;
            return of(schedule, steps);
        }
        double stride = (T - 1.0) / (K - 1);
        double position = 0; // improved-diffusion's cur_idx: a running sum of strides
        for (int k = 1; k <= K; k++) {
            double u = power == 1 ? position : Math.pow((k - 1.0) / (K - 1), power) * (T - 1);
            int step = 1 + (int) Math.rint(u); // round half to even
            steps[k - 1] = k == 1 ? step : Math.max(step, steps[k - 2] + 1); // strictly increasing
            position += stride;
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
