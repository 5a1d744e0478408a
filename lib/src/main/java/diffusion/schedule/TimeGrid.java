package diffusion.schedule;

import diffusion.Arguments;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * A strictly decreasing sequence of times t_0 &gt; t_1 &gt; ... &gt; t_N of one perturbation kernel, the path a sampler
 * walks from noise (t_0) towards data (t_N): N steps, N + 1 points, each inside the kernel's time range (integers for
 * a discrete kernel). Built from a timestep sub-sequence, uniform in t, uniform in log-SNR, Karras et al.'s rho-grid
 * in sigma = s/m, or given values.
 */
public final class TimeGrid {

    private final PerturbationKernel kernel;
    private final double[] times;

    private TimeGrid(PerturbationKernel kernel, double[] times) {
        if (times.length < 2) {
            throw new IllegalArgumentException("times has " + times.length + " points: a grid needs at least 2 (one step)");
        }
        for (int k = 0; k < times.length; k++) {
            kernel.requireTime("times[" + k + "]", times[k]);
            if (k > 0 && !(times[k] < times[k - 1])) {
                throw new IllegalArgumentException("times[" + k + "] = " + times[k] + " >= times[" + (k - 1) + "] = " + times[k - 1]
                        + ": a grid must be strictly decreasing (from noise to data)");
            }
        }
        this.kernel = kernel;
        this.times = times;
    }

    /** The given times t_0 &gt; ... &gt; t_N (N &gt;= 1), each in the kernel's range. */
    public static TimeGrid of(PerturbationKernel kernel, double... times) {
        Arguments.nonNull("kernel", kernel);
        return new TimeGrid(kernel, Arguments.nonNull("times", times).clone());
    }

    /** A discrete sub-sequence walked down to the data: tau_K, ..., tau_1, 0 (DDIM's and respaced DDPM's grid). */
    public static TimeGrid of(Timesteps steps) {
        Arguments.nonNull("steps", steps);
        double[] times = new double[steps.K() + 1];
        for (int k = 0; k <= steps.K(); k++) {
            times[k] = steps.tau(steps.K() - k);
        }
        return new TimeGrid(steps.schedule(), times);
    }

    /** Every time of a discrete kernel: T, T - 1, ..., 1, 0 (for the NCSN ladder: levels 1..L, then the data). */
    public static TimeGrid full(PerturbationKernel kernel) {
        Arguments.nonNull("kernel", kernel);
        if (!kernel.discrete()) {
            throw new IllegalArgumentException(kernel + " is continuous: use TimeGrid.uniform, logSnr or karras");
        }
        int T = (int) kernel.tMax();
        double[] times = new double[T + 1];
        for (int k = 0; k <= T; k++) {
            times[k] = T - k;
        }
        return new TimeGrid(kernel, times);
    }

    /** N &gt;= 1 uniform steps in t from tMax down to end: t_k = tMax - k (tMax - end) / N. */
    public static TimeGrid uniform(PerturbationKernel kernel, int N, double end) {
        return uniform(kernel, kernel.tMax(), end, N);
    }

    /** N &gt;= 1 uniform steps in t from start down to end. */
    public static TimeGrid uniform(PerturbationKernel kernel, double start, double end, int N) {
        requireSteps(N);
        continuous(kernel, "a uniform grid");
        kernel.requireTime("start", start);
        kernel.requireTime("end", end);
        double[] times = new double[N + 1];
        for (int k = 0; k <= N; k++) {
            times[k] = k == N ? end : start + (end - start) * k / N;
        }
        return new TimeGrid(kernel, times);
    }

    /**
     * N &gt;= 1 steps uniform in lambda = log(m^2 / s^2) from lambda(tMax) up to lambda(end) (DPM-Solver's grid), each
     * time found by bisection of the decreasing lambda(t).
     */
    public static TimeGrid logSnr(PerturbationKernel kernel, int N, double end) {
        requireSteps(N);
        continuous(kernel, "a log-SNR grid");
        double first = kernel.logSnr(kernel.tMax());
        kernel.requireTime("end", end);
        if (!(kernel.std(end) > 0)) {
            throw new IllegalArgumentException("end = " + end + " gives s(end) = 0 under " + kernel
                    + ": the log-SNR is infinite there; a log-SNR grid must end where s > 0");
        }
        double last = kernel.logSnr(end);
        double[] times = new double[N + 1];
        for (int k = 0; k <= N; k++) {
            double lambda = first + (last - first) * k / N;
            times[k] = k == 0 ? kernel.tMax() : k == N ? end : invert(t -> -kernel.logSnr(t), -lambda, end, kernel.tMax());
        }
        return new TimeGrid(kernel, resolved(times, "N = " + N + ", end = " + end));
    }

    /**
     * Karras et al.'s grid of N &gt;= 1 steps in sigma = s/m: sigma_k = (sigmaMax^(1/rho) + k / N (sigmaMin^(1/rho) -
     * sigmaMax^(1/rho)))^rho, k = 0..N, each mapped to the time t with sigma(t) = sigma_k (bisection); sigmaMin and
     * sigmaMax must lie within the kernel's range of sigma. (k-diffusion appends sigma = 0 as a last point; this grid
     * ends at sigmaMin, as a kernel time of 0 gives s = 0 where a score is undefined.)
     */
    public static TimeGrid karras(PerturbationKernel kernel, int N, double sigmaMin, double sigmaMax, double rho) {
        requireSteps(N);
        continuous(kernel, "a Karras grid");
        Arguments.positive("rho", rho);
        double top = kernel.sigma(kernel.tMax());
        double bottom = kernel.sigma(0); // > 0 for VE, whose sigma starts at sigma_min
        if (!(sigmaMin > 0 && sigmaMin >= bottom * (1 - 1e-12) && sigmaMin < sigmaMax && sigmaMax <= top * (1 + 1e-12))) {
            throw new IllegalArgumentException("sigmaMin = " + sigmaMin + ", sigmaMax = " + sigmaMax + ": need max(0, sigma(0) = " + bottom
                    + ") <= sigmaMin < sigmaMax <= sigma(tMax) = " + top + " (sigmaMin > 0) for " + kernel);
        }
        double a = Math.pow(sigmaMax, 1 / rho);
        double b = Math.pow(sigmaMin, 1 / rho);
        double[] times = new double[N + 1];
        for (int k = 0; k <= N; k++) {
            double sigma = Math.pow(a + (b - a) * k / N, rho); // sigma_k
            times[k] = Math.min(kernel.tMax(), invert(kernel::sigma, sigma, 0, kernel.tMax()));
        }
        return new TimeGrid(kernel, resolved(times, "N = " + N + ", sigmaMin = " + sigmaMin + ", sigmaMax = " + sigmaMax + ", rho = " + rho));
    }

    /**
     * times, after checking that the bisections resolved them as strictly decreasing; otherwise an
     * IllegalArgumentException restating the caller's arguments (two grid points collapse to one time in double
     * precision: fewer steps or a wider range are needed).
     */
    private static double[] resolved(double[] times, String arguments) {
        for (int k = 1; k < times.length; k++) {
            if (!(times[k] < times[k - 1])) {
                throw new IllegalArgumentException(arguments + " give times t_" + (k - 1) + " = " + times[k - 1] + " and t_" + k
                        + " = " + times[k] + " that coincide in double precision: use fewer steps or a wider range");
            }
        }
        return times;
    }

    /** The t in [lo, hi] with f(t) = value for an increasing f, by bisection to double precision. */
    static double invert(DoubleUnaryOperator f, double value, double lo, double hi) {
        for (int i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, hi); i++) {
            double mid = 0.5 * (lo + hi);
            if (f.applyAsDouble(mid) < value) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** The time t of a continuous kernel with sigma(t) = sigma, by bisection (for solvers stepping in sigma). */
    public static double timeOfSigma(PerturbationKernel kernel, double sigma) {
        continuous(kernel, "inverting sigma(t)");
        return invert(kernel::sigma, sigma, 0, kernel.tMax());
    }

    private static void requireSteps(int N) {
        Arguments.size("N", N, 1);
    }

    private static void continuous(PerturbationKernel kernel, String what) {
        Arguments.nonNull("kernel", kernel);
        if (kernel.discrete()) {
            throw new IllegalArgumentException(what + " needs a continuous kernel, but " + kernel
                    + " is discrete: use TimeGrid.of(Timesteps) or given integer times");
        }
    }

    /** The kernel the times belong to. */
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** N, the number of steps. */
    public int steps() {
        return times.length - 1;
    }

    /** t_k, k in 0..N. */
    public double time(int k) {
        if (k < 0 || k >= times.length) {
            throw new IllegalArgumentException("k = " + k + ": must lie in 0.." + steps());
        }
        return times[k];
    }

    /** t_0, where sampling starts. */
    public double start() {
        return times[0];
    }

    /** t_N, where sampling ends. */
    public double end() {
        return times[times.length - 1];
    }

    /** t_0, ..., t_N (a copy). */
    public double[] times() {
        return times.clone();
    }

    /** The same points in increasing order t_N, ..., t_0 (for encoding, which runs from data to noise). */
    public double[] increasing() {
        double[] up = new double[times.length];
        for (int k = 0; k < times.length; k++) {
            up[k] = times[times.length - 1 - k];
        }
        return up;
    }

    @Override
    public String toString() {
        return "TimeGrid[N=" + steps() + ", " + times[0] + " -> " + times[times.length - 1] + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TimeGrid grid && grid.kernel == kernel && Arrays.equals(grid.times, times);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(times);
    }
}
