package diffusion.ode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;

/**
 * The adaptive Dormand-Prince RK5(4) pair (Dormand and Prince 1980; scipy's RK45): seven stages, the fifth-order
 * solution propagated (local extrapolation), the difference with the embedded fourth-order one as the local error
 * estimate, and the first stage of a step reusing the last of the previous (FSAL: six evaluations per accepted step).
 * A step is accepted when the RMS over all entries of err / (atol + rtol max(|x|, |x_new|)) is at most 1; the next
 * step is h 0.9 err^(-1/5), its growth clipped to [0.2, 10] (no growth right after a rejection). The first step follows
 * Hairer, Norsett and Wanner (II.4). A solve stops with StepBudgetExceededException after maxSteps attempted steps, and
 * with DivergedException when the field returns NaN.
 */
public final class DormandPrince implements OdeSolver {

    /** Nodes c_i. */
    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};

    /** Runge-Kutta matrix a_ij (row i lists the a_ij, j &lt; i); row 7 is the fifth-order weights b (FSAL). */
    private static final double[][] A = {
        {},
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };

    /** Error weights e_i = b_i - b*_i (fifth- minus fourth-order weights). */
    private static final double[] E = {
        71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40,
    };

    private static final double SAFETY = 0.9;
    private static final double MIN_FACTOR = 0.2;
    private static final double MAX_FACTOR = 10;

    private final double rtol;
    private final double atol;
    private final int maxSteps;

    /**
     * The smallest relative tolerance, 100 machine epsilons (scipy's floor for RK45): below it a step's error
     * estimate is rounding noise and the step size collapses.
     */
    public static final double MIN_RTOL = 100 * Math.ulp(1.0);

    /**
     * Relative tolerance rtol in [MIN_RTOL, 1], absolute tolerance atol in [Double.MIN_NORMAL, 1], and a budget of
     * maxSteps &gt;= 1 attempted steps.
     */
    public DormandPrince(double rtol, double atol, int maxSteps) {
        this.rtol = Arguments.within("rtol", rtol, MIN_RTOL, 1);
        this.atol = Arguments.within("atol", atol, Double.MIN_NORMAL, 1);
        this.maxSteps = Arguments.atLeast("maxSteps", maxSteps, 1);
    }

    /** rtol = atol = tolerance in [MIN_RTOL, 1], with a budget of 10 000 steps. */
    public static DormandPrince withTolerance(double tolerance) {
        Arguments.within("tolerance", tolerance, MIN_RTOL, 1);
        return new DormandPrince(tolerance, tolerance, 10_000);
    }

    public double rtol() {
        return rtol;
    }

    public double atol() {
        return atol;
    }

    public int maxSteps() {
        return maxSteps;
    }

    @Override
    public String name() {
        return String.format("RK45 (rtol %.0e, atol %.0e)", rtol, atol);
    }

    @Override
    public Solution solve(NDManager manager, VectorField field, NDArray initial, double[] times, Monitor monitor) {
        OdeSolver.requireTimes(times);
        Arguments.finite("initial", initial);
        double t0 = times[0];
        double t1 = times[times.length - 1];
        double direction = Math.signum(t1 - t0);
        NDArray x = initial.duplicate();
        x.attach(manager);
        NDArray k1;
        double h;
        try (NDManager scope = manager.newSubManager()) {
            x.attach(scope);
            k1 = field.velocity(x, t0);
            h = direction * initialStep(field, x, k1, t0, direction, Math.abs(t1 - t0));
            x.attach(manager);
            k1.attach(manager);
        }
        int nfe = 2;
        int steps = 0;
        int rejected = 0;
        double t = t0;
        boolean justRejected = false;
        long units = 1000; // progress in thousandths of the interval
        monitor.start(name(), units);
        try {
            while (t != t1) {
                if (steps + rejected >= maxSteps) {
                    throw new StepBudgetExceededException(String.format(
                            "%s exceeded its step budget of maxSteps = %d attempted steps (%d accepted, %d rejected, %d evaluations) at t = %s"
                                    + " of [%s, %s]; raise maxSteps or loosen rtol/atol",
                            name(), maxSteps, steps, rejected, nfe, t, t0, t1));
                }
                boolean last = direction * (t + h - t1) >= 0;
                double step = last ? t1 - t : h;
                double error;
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    k1.attach(scope);
                    Step attempt = attempt(field, x, k1, t, step);
                    nfe += 6;
                    error = errorNorm(attempt, x);
                    if (error <= 1) {
                        attempt.next().attach(manager);
                        attempt.k7().attach(manager);
                        x = attempt.next();
                        k1 = attempt.k7();
                    } else {
                        x.attach(manager);
                        k1.attach(manager);
                    }
                }
                if (Double.isNaN(error)) {
                    throw new DivergedException(name(), steps + rejected + 1, t, String.format(
                            "the field returned a non-finite value in the step from t = %s (h = %s)", t, step));
                }
                double factor = error == 0 ? MAX_FACTOR : SAFETY * Math.pow(error, -0.2);
                if (error <= 1) {
                    t = last ? t1 : t + step;
                    steps++;
                    h = step * Math.min(justRejected ? 1 : MAX_FACTOR, Math.max(MIN_FACTOR, factor));
                    justRejected = false;
                    monitor.step(Math.round(units * Math.abs(t - t0) / Math.abs(t1 - t0)), t, x, "nfe=" + nfe);
                } else {
                    rejected++;
                    h = step * Math.max(MIN_FACTOR, factor);
                    justRejected = true;
                }
            }
        } finally {
            monitor.end();
        }
        k1.close();
        return new Solution(x, nfe, steps, rejected);
    }

    /** One attempted step from x at t with step h and k1 = v(x, t): the fifth-order x_new, k7 = v(x_new, t + h) and the error estimate. */
    record Step(NDArray next, NDArray k7, NDArray error) {
    }

    /** The seven stages k_i = v(x + h sum_j a_ij k_j, t + c_i h); x_new = x + h sum_j b_j k_j, error = h sum_j e_j k_j. */
    static Step attempt(VectorField field, NDArray x, NDArray k1, double t, double h) {
        NDArray[] k = new NDArray[7];
        k[0] = k1;
        NDArray next = null;
        for (int i = 1; i < 7; i++) {
            NDArray stage = x;
            for (int j = 0; j < i; j++) {
                if (A[i][j] != 0) {
                    stage = stage.add(k[j].mul(h * A[i][j]));
                }
            }
            if (i == 6) {
                next = stage; // the last stage point is the fifth-order solution (FSAL)
            }
            k[i] = field.velocity(stage, t + C[i] * h);
        }
        NDArray error = k[0].mul(h * E[0]);
        for (int j = 1; j < 7; j++) {
            if (E[j] != 0) {
                error = error.add(k[j].mul(h * E[j]));
            }
        }
        return new Step(next, k[6], error);
    }

    /** RMS over all entries of error / (atol + rtol max(|x|, |x_new|)). */
    private double errorNorm(Step step, NDArray x) {
        NDArray scale = x.abs().maximum(step.next().abs()).mul(rtol).add(atol);
        return rms(step.error().div(scale));
    }

    /**
     * Hairer-Norsett-Wanner's starting step, at most the interval's length: h0 = 0.01 ||x0|| / ||v0||, then h1 from a
     * trial Euler step of h0 (one evaluation), and min(100 h0, h1).
     */
    private double initialStep(VectorField field, NDArray x, NDArray v, double t, double direction, double length) {
        NDArray scale = x.abs().mul(rtol).add(atol);
        double d0 = rms(x.div(scale));
        double d1 = rms(v.div(scale));
        double h0 = Math.min(length, d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1);
        NDArray trial = field.velocity(x.add(v.mul(direction * h0)), t + direction * h0);
        double d2 = rms(trial.sub(v).div(scale)) / h0;
        double h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 0.2);
        return Math.min(length, Math.min(100 * h0, h1));
    }

    /** sqrt(mean(a^2)) over all entries, in double precision. */
    private static double rms(NDArray a) {
        return Math.sqrt(a.toType(DataType.FLOAT64, false).square().mean().getDouble());
    }
}
