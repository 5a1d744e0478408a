package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.sample.LangevinStep;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The Langevin corrector: at a fixed time t, M Langevin steps x &lt;- x + epsilon s(x, t) + sqrt(2 epsilon) z
 * (LangevinStep) with one of two step-size rules.
 * <ul>
 *   <li>Song et al. (2021, Algorithms 4 and 5), the signal-to-noise rule: epsilon = 2 alpha (r ||z|| / ||s(x, t)||)^2,
 *   the norms taken per sample and averaged over the batch, r the target snr and alpha the squared mean decay of the
 *   level's step, (m(t) / m(s))^2 = exp(2 int f): 1 for VE, exp(-int beta) for VP and sub-VP, where Song et al. take
 *   DDPM's alpha_i = 1 - beta_i (equal to first order in dt, and never negative on a coarse grid).</li>
 *   <li>Song and Ermon (2019, Algorithm 1), annealed Langevin dynamics: alpha_i = epsilon s(t)^2 / s_L^2 with s_L the
 *   smallest noise level the sampler visits (the grid's last but one time), i.e. a step h = alpha_i / 2.</li>
 * </ul>
 */
public final class LangevinCorrector implements Corrector {

    private final double snr;
    private final double epsilon;
    private final int steps;

    private LangevinCorrector(double snr, double epsilon, int steps) {
        this.snr = snr;
        this.epsilon = epsilon;
        this.steps = Arguments.atLeast("steps", steps, 1);
    }

    /** Song et al.'s corrector: target signal-to-noise ratio r &gt; 0 and M = steps &gt;= 1 Langevin steps per level. */
    public static LangevinCorrector snr(double snr, int steps) {
        return new LangevinCorrector(Arguments.positive("snr", snr), Double.NaN, steps);
    }

    /** Song and Ermon's annealed Langevin step alpha_i = epsilon s(t)^2 / s_L^2, epsilon &gt; 0, M = steps &gt;= 1 per level. */
    public static LangevinCorrector annealed(double epsilon, int steps) {
        return new LangevinCorrector(Double.NaN, Arguments.positive("epsilon", epsilon), steps);
    }

    /** M, the Langevin steps per level. */
    @Override
    public int steps() {
        return steps;
    }

    /** M: one model evaluation per Langevin step. */
    @Override
    public int evaluations() {
        return steps;
    }

    /**
     * The step h at time t of grid for a batch of scores and noises: 2 alpha (r mean ||z|| / mean ||s||)^2 (snr rule),
     * or epsilon s(t)^2 / (2 s_L^2) (annealed rule).
     */
    public double stepSize(NDArray score, NDArray z, double alpha, double t, TimeGrid grid) {
        if (Double.isNaN(snr)) {
            double level = grid.kernel().std(t);
            double last = grid.kernel().std(grid.time(grid.steps() - 1));
            return 0.5 * epsilon * level * level / (last * last); // h = alpha_i / 2
        }
        double noiseNorm = perSampleNorm(z);
        double scoreNorm = perSampleNorm(score);
        double ratio = snr * noiseNorm / scoreNorm;
        return 2 * alpha * ratio * ratio;
    }

    /** One corrector step x + h s + sqrt(2 h) z with h = stepSize(score, z, alpha, t, grid). */
    public NDArray step(NDArray x, NDArray score, NDArray z, double alpha, double t, TimeGrid grid) {
        return LangevinStep.step(x, score, z, stepSize(score, z, alpha, t, grid));
    }

    /** One Langevin step at t: z ~ N(0, I) from noise, then step(x, s(x, t), z, alpha, t, grid). */
    @Override
    public NDArray move(ScoreModel model, NDArray x, double alpha, double t, TimeGrid grid, Noise noise) {
        NDArray z = noise.normal(x.getManager(), x.getShape());
        return step(x, model.score(x, t), z, alpha, t, grid);
    }

    /** mean_i ||x_i|| over the samples (rows) of x, each flattened. */
    private static double perSampleNorm(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).norm(new int[] {1}).mean().getFloat();
    }

    /** "r = 0.16, M = 1" or "epsilon = 2.0E-5, M = 3": the rule's parameters, for this and HmcCorrector's names. */
    String parameters() {
        return (Double.isNaN(snr) ? "epsilon = " + epsilon : "r = " + snr) + ", M = " + steps;
    }

    @Override
    public String toString() {
        return "Langevin (" + parameters() + ")";
    }
}
