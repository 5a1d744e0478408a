package diffusion.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.data.DataSource;
import diffusion.metrics.MonteCarlo;
import diffusion.score.ScoreModel;

/**
 * VDM's continuous-time diffusion loss (Kingma et al. 2021, eq. 17) in nats per example:
 * L_inf = -1/2 E_{x, eps} int_0^1 SNR'(t) ||x - xhat(z_t, t)||^2 dt = 1/2 E int_0^1 gamma'(t) exp(-gamma(t)) ||x - xhat||^2 dt,
 * z_t = sqrt(alphaBar(t)) x + sqrt(1 - alphaBar(t)) eps, for a model whose kernel is a MonotoneGamma. Substituting
 * v = SNR(t) gives 1/2 int_{SNR(1)}^{SNR(0)} E||x - xhat(z_v)||^2 dv: the schedule enters only through its end points.
 */
public final class ContinuousBound {

    private ContinuousBound() {
    }

    /**
     * The stratified estimate of L_inf: K strata of [0, 1] (K even, >= 2), one uniform t in each, m >= 1 fresh pairs
     * (x, eps) per stratum (seeded); the mean of the strata's means, with the collapsed-strata standard error
     * (adjacent strata paired: Var = sum over pairs of (f_a - f_b)^2 / K^2, which over-states the variance).
     */
    public static MonteCarlo.Estimate estimate(NDManager manager, ScoreModel model, DataSource data, int strata, int perStratum, long seed) {
        Arguments.allNonNull("manager, model, data", manager, model, data);
        schedule(model, data);
        Arguments.size("strata", strata, 2);
        if (strata % 2 != 0) {
            throw new IllegalArgumentException("strata = " + strata + ": must be even (the standard error pairs adjacent strata)");
        }
        Arguments.atLeast("perStratum", perStratum, 1);
        Arguments.derivedSize("perStratum", perStratum, "denoiser evaluations (strata x perStratum)", (long) strata * perStratum,
                Arguments.MAX_ENTRIES);
        Noise noise = Noise.seeded(seed);
        float[] offsets = noise.uniform(manager, new Shape(strata)).toFloatArray();
        double[] means = new double[strata];
        for (int k = 0; k < strata; k++) {
            try (NDManager step = manager.newSubManager()) {
                means[k] = draws(step, model, data, (k + offsets[k]) / strata, perStratum, seed + 1 + k, noise).mean().getFloat();
            }
        }
        double squares = 0;
        for (int k = 0; k < strata; k += 2) {
            squares += (means[k] - means[k + 1]) * (means[k] - means[k + 1]);
        }
        return new MonteCarlo.Estimate(MonteCarlo.estimate(means).mean(), Math.sqrt(squares) / strata);
    }

    /**
     * The single-draw estimates -1/2 SNR'(t) ||x - xhat(z_t, t)||^2 = 1/2 gamma'(t) SNR(t) ||x - xhat||^2 at one t for m
     * fresh pairs (x, eps) (x seeded by dataSeed, eps from noise), shape (m): their mean over t ~ U[0, 1] is L_inf.
     */
    public static NDArray draws(NDManager manager, ScoreModel model, DataSource data, double t, int m, long dataSeed, Noise noise) {
        Arguments.allNonNull("manager, model, data, noise", manager, model, data, noise);
        MonotoneGamma schedule = schedule(model, data);
        schedule.requireTime("t", t);
        Arguments.size("m", m, 1);
        NDArray x = data.sample(manager, m, dataSeed);
        NDArray z = x.mul(schedule.meanScale(t)).add(noise.normal(manager, x.getShape()).mul(schedule.std(t))); // z_t = alpha x + sigma eps
        NDArray error = x.sub(model.denoise(z, t)).square().sum(new int[] {1}); // ||x - xhat(z_t, t)||^2
        return error.mul(0.5 * schedule.gammaDerivative(t) * schedule.snr(t)); // -1/2 SNR'(t) ||x - xhat||^2
    }

    /** Monte Carlo moments of the single-draw estimate Lhat: E Lhat (= L_inf) and E Lhat^2, each with its standard error. */
    public record DrawMoments(MonteCarlo.Estimate first, MonteCarlo.Estimate second) {

        /** Refuses a null estimate, naming it. */
        public DrawMoments {
            Arguments.allNonNull("first, second", first, second);
        }

        /** Var Lhat = E Lhat^2 - (E Lhat)^2 from the two means. */
        public double variance() {
            return second.mean() - first.mean() * first.mean();
        }
    }

    /**
     * Unstratified Monte Carlo of Lhat (what a schedule's variance is about): K &gt;= 2 times t ~ U[0, 1], m &gt;= 1 fresh pairs
     * (x, eps) at each (seeded); the means over the K times of each time's mean of Lhat and of Lhat^2, with their
     * standard errors over the K independent times.
     */
    public static DrawMoments uniformDraws(NDManager manager, ScoreModel model, DataSource data, int times, int m, long seed) {
        Arguments.allNonNull("manager, model, data", manager, model, data);
        schedule(model, data);
        Arguments.size("times", times, 2);
        Arguments.derivedSize("m", Arguments.size("m", m, 1), "denoiser evaluations (times x m)", (long) times * m, Arguments.MAX_ENTRIES);
        Noise noise = Noise.seeded(seed);
        float[] t = noise.uniform(manager, new Shape(times)).toFloatArray();
        double[] firsts = new double[times];
        double[] seconds = new double[times];
        for (int k = 0; k < times; k++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray d = draws(step, model, data, t[k], m, seed + 1 + k, noise);
                firsts[k] = d.mean().getFloat();
                seconds[k] = d.square().mean().getFloat();
            }
        }
        return new DrawMoments(MonteCarlo.estimate(firsts), MonteCarlo.estimate(seconds));
    }

    /** The model's MonotoneGamma kernel, after refusing another kernel or data of another dimension. */
    private static MonotoneGamma schedule(ScoreModel model, DataSource data) {
        if (!(model.kernel() instanceof MonotoneGamma schedule)) {
            throw new IllegalArgumentException("model's kernel is " + model.kernel() + ": the continuous bound needs a MonotoneGamma");
        }
        if (data.dim() != model.dim()) {
            throw new IllegalArgumentException("data has dimension " + data.dim() + " but model has " + model.dim());
        }
        return schedule;
    }

    /**
     * L_inf for data N(mu, diag variance) with the exact denoiser: E||x - xhat(z_v)||^2 = sum_j variance_j / (1 + v variance_j),
     * so L_inf = 1/2 sum_j log((1 + SNR(0) variance_j) / (1 + SNR(1) variance_j)).
     */
    public static double gaussian(double[] variance, MonotoneGamma schedule) {
        Arguments.finite("variance", Arguments.nonNull("variance", variance));
        double sum = 0;
        for (int j = 0; j < variance.length; j++) {
            Arguments.positive("variance[" + j + "]", variance[j]);
            double v = variance[j];
            sum += 0.5 * (v < 1 ? Math.log1p(schedule.snr(0) * v) - Math.log1p(schedule.snr(1) * v) // log((1 + SNR(0) v) / (1 + SNR(1) v))
                    : Math.log(schedule.snr(0) + 1 / v) - Math.log(schedule.snr(1) + 1 / v)); // the same over v: no overflow for huge v
        }
        return sum;
    }
}
