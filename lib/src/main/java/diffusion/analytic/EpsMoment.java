package diffusion.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.metrics.MonteCarlo;
import diffusion.process.ForwardProcess;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.SplittableRandom;

/**
 * The moment Gamma_t = E_{q(x_t)} ||eps_theta(x_t, t)||^2 / d of a noise predictor, estimated by Monte Carlo over
 * training data: M rows x_0 drawn with replacement from the data and x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps.
 * Bao et al.'s optimal reverse variance needs it at every step of a trajectory. Each step's draws depend only on
 * (seed, t), so estimates do not depend on the order in which steps are asked for; each is computed once and cached
 * in this object (one per model and data set).
 *
 * <p>Two Monte Carlo forms (Form) share the same expectation for the exact model eps*, because E[eps | x_t] = eps*
 * gives E||eps - eps*||^2 = d - E||eps*||^2: Bao et al.'s squared norm, and one minus the residual.
 *
 * <p>The same draws give the per-coordinate moments Gamma_t,j = E[eps_theta_j(x_t, t)^2] (or 1 - E[(eps_j -
 * eps_theta_j)^2]) of the diagonal optimal variance; Gamma_t is their average over j.
 */
public final class EpsMoment {

    private final ScoreModel model;
    private final NoiseSchedule schedule;
    private final NDArray data;
    private final int samples;
    private final long seed;
    private final Form form;
    private final Moments[] cache;

    /** One step's estimates: Gamma_t over per-row averages, and Gamma_t,j per coordinate with their standard errors. */
    private record Moments(MonteCarlo.Estimate isotropic, double[] perDimension, double[] perDimensionError) {
    }

    /** What is averaged per row. */
    public enum Form {
        /** ||eps_theta(x_t, t)||^2 / d (Bao et al.): unbiased for Gamma_t, but its noise can carry it above 1. */
        SQUARED_NORM,
        /**
         * 1 - ||eps - eps_theta(x_t, t)||^2 / d: never above 1, and for a network 1 - Gamma is its own mean's error
         * E||eps - eps_theta||^2 / d, so the variance built from it is the optimal one for that mean.
         */
        RESIDUAL
    }

    /** The squared-norm estimator for model (a noise predictor of a NoiseSchedule) over data (n, d), M >= 1 samples per step. */
    public EpsMoment(ScoreModel model, NDArray data, int M, long seed) {
        this(model, data, M, seed, Form.SQUARED_NORM);
    }

    /** As above with the given form. */
    public EpsMoment(ScoreModel model, NDArray data, int M, long seed, Form form) {
        Arguments.allNonNull("model, data, form", model, data, form);
        if (!(model.kernel() instanceof NoiseSchedule s)) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + ": a discrete NoiseSchedule is required");
        }
        Arguments.floatingBatch("data", data, model.dim());
        Arguments.atLeast("M", M, 1);
        this.model = model;
        this.schedule = s;
        this.data = data;
        this.samples = M;
        this.seed = seed;
        this.form = form;
        this.cache = new Moments[s.T() + 1];
    }

    public ScoreModel model() {
        return model;
    }

    /** The form averaged per row. */
    public Form form() {
        return form;
    }

    /** M, the Monte Carlo samples per step. */
    public int samples() {
        return samples;
    }

    /** Gamma_t = E ||eps_theta(x_t, t)||^2 / d, t in 1..T (estimated on first use). */
    public double gamma(int t) {
        return estimate(t).mean();
    }

    /** The estimate of Gamma_t with its Monte Carlo standard error, t in 1..T. */
    public MonteCarlo.Estimate estimate(int t) {
        return moments(t).isotropic();
    }

    /** Gamma_t,j = E[eps_theta_j(x_t, t)^2] per coordinate j (in the chosen form), t in 1..T (estimated on first use). */
    public double[] gammaPerDimension(int t) {
        return moments(t).perDimension().clone();
    }

    /** The Monte Carlo standard errors of gammaPerDimension(t), per coordinate. */
    public double[] gammaPerDimensionError(int t) {
        return moments(t).perDimensionError().clone();
    }

    /** Estimates every step in steps not yet cached, with a progress line; returns Gamma at each of them. */
    public double[] gammas(int... steps) {
        ensure(steps);
        double[] values = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            values[i] = gamma(steps[i]);
        }
        return values;
    }

    /** As gammas, per coordinate: row i holds Gamma_{steps[i], j} for j = 1..d. */
    public double[][] gammasPerDimension(int... steps) {
        ensure(steps);
        double[][] values = new double[steps.length][];
        for (int i = 0; i < steps.length; i++) {
            values[i] = gammaPerDimension(steps[i]);
        }
        return values;
    }

    private Moments moments(int t) {
        schedule.beta(t); // checks t in 1..T
        if (cache[t] == null) {
            cache[t] = compute(t);
        }
        return cache[t];
    }

    /** Computes the steps not yet cached, with a progress line. */
    private void ensure(int... steps) {
        int missing = 0;
        for (int t : steps) {
            missing += t >= 1 && t <= schedule.T() && cache[t] == null ? 1 : 0;
        }
        Monitor monitor = missing > 0 ? Monitor.progress() : Monitor.quiet();
        monitor.start("Gamma_t (M=" + samples + ")", Math.max(1, missing));
        try {
            int done = 0;
            for (int t : steps) {
                boolean fresh = t >= 1 && t <= schedule.T() && cache[t] == null;
                moments(t);
                if (fresh) {
                    monitor.step(++done, t, null, "");
                }
            }
        } finally {
            monitor.end();
        }
    }

    private Moments compute(int t) {
        long stepSeed = seed * 1_000_003L + t;
        SplittableRandom random = new SplittableRandom(stepSeed);
        long[] rows = new long[samples];
        long n = data.getShape().get(0);
        for (int i = 0; i < samples; i++) {
            rows[i] = random.nextLong(n);
        }
        try (NDManager scratch = data.getManager().newSubManager()) {
            NDArray x0 = data.get(scratch.create(rows));
            x0.attach(scratch);
            Environment.seed(stepSeed);
            NDArray eps = scratch.randomNormal(x0.getShape());
            NDArray predicted = model.epsilon(new ForwardProcess(schedule).sample(x0, t, eps), t);
            NDArray squared = form == Form.SQUARED_NORM ? predicted.square() : eps.sub(predicted).square(); // eps_theta_j^2 or (eps_j - eps_theta_j)^2
            NDArray perRow = form == Form.SQUARED_NORM
                    ? squared.mean(new int[] {1}) // ||eps_theta||^2 / d
                    : squared.mean(new int[] {1}).neg().add(1); // 1 - ||eps - eps_theta||^2 / d
            MonteCarlo.Estimate isotropic = MonteCarlo.estimate(perRow.toType(DataType.FLOAT64, false).toDoubleArray());
            NDArray entries = squared.toType(DataType.FLOAT64, false);
            NDArray columnMean = entries.mean(new int[] {0});
            NDArray mean = form == Form.SQUARED_NORM ? columnMean : columnMean.neg().add(1); // Gamma_t,j, or 1 - E[(eps_j - eps_theta_j)^2]
            NDArray error = entries.sub(columnMean).square().sum(new int[] {0}).div(Math.max(1, samples - 1)).div(samples).sqrt(); // sd_j / sqrt(M)
            return new Moments(isotropic, mean.toDoubleArray(), samples > 1 ? error.toDoubleArray() : nans(model.dim()));
        }
    }

    private static double[] nans(int d) {
        double[] values = new double[d];
        java.util.Arrays.fill(values, Double.NaN);
        return values;
    }
}
