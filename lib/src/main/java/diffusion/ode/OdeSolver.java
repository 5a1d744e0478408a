package diffusion.ode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Monitor;

/**
 * A numerical solver of dx/dt = v(x, t) along a strictly monotone sequence of times t_0, ..., t_N (decreasing when
 * time runs backwards, as in sampling from noise to data): fixed-step solvers take one step per interval of the
 * sequence (any grid, not only a uniform one), adaptive ones integrate from t_0 to t_N choosing their own steps. The
 * initial state is left untouched; every step runs in its own sub-manager, and a non-finite state stops the solve
 * with a DivergedException naming the solver, the step and the time.
 */
public interface OdeSolver {

    /** A short name for tables and legends ("Euler", "RK45 (rtol 1e-05)"). */
    String name();

    /** x(t_N) from x(t_0) = initial, in manager; the monitor is told after every accepted step. */
    Solution solve(NDManager manager, VectorField field, NDArray initial, double[] times, Monitor monitor);

    /** As above, quietly. */
    default Solution solve(NDManager manager, VectorField field, NDArray initial, double[] times) {
        return solve(manager, field, initial, times, Monitor.quiet());
    }

    /** N &gt;= 1 uniform steps from t0 to t1: t_i = t0 + i (t1 - t0) / N, ending exactly at t1. */
    static double[] uniform(double t0, double t1, int steps) {
        diffusion.Arguments.atLeast("steps", steps, 1);
        double[] times = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            times[i] = i == steps ? t1 : t0 + (t1 - t0) * i / steps;
        }
        return requireTimes(times);
    }

    /** Accepts at least two finite times, strictly increasing or strictly decreasing. */
    static double[] requireTimes(double[] times) {
        if (times == null || times.length < 2) {
            throw new IllegalArgumentException("times has " + (times == null ? 0 : times.length) + " points: an ODE solve needs at least 2");
        }
        double direction = Math.signum(times[times.length - 1] - times[0]);
        for (int i = 0; i < times.length; i++) {
            if (!Double.isFinite(times[i])) {
                throw new IllegalArgumentException("times[" + i + "] = " + times[i] + " must be finite");
            }
            if (i > 0 && !(direction * (times[i] - times[i - 1]) > 0)) {
                throw new IllegalArgumentException("times[" + i + "] = " + times[i] + " after times[" + (i - 1) + "] = " + times[i - 1]
                        + ": times must be strictly monotone");
            }
        }
        return times;
    }
}
