package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Noise;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The lecture's Algorithm 2 as written on the slide (an erratum, kept to be measured): line 4 divides by
 * sqrt(1 - alpha_t) where Ho et al. divide by sqrt(1 - alphaBar_t),
 * x_{t-1} = (x_t - (1 - alpha_t) / sqrt(1 - alpha_t) eps(x_t, t)) / sqrt(alpha_t) + sigma_t z,
 * i.e. the noise prediction is scaled by sqrt(beta_t) instead of beta_t / sqrt(1 - alphaBar_t). Everything else is
 * DDPM's: the same grid (every step t -> t - 1 of a NoiseSchedule, TimeGrid.full), the same variance rule, the same
 * draws from the noise source in the same order (one z per step, none on the last step into t = 0), so a run with
 * the same seed as GeneralisedReverse.ddpm(variance) differs from it only by that coefficient. The two coefficients
 * agree at t = 1 (alphaBar_1 = alpha_1).
 */
public final class LectureAlgorithm2 extends GridSampler {

    private final ReverseVariance variance;

    /** The lecture's line 4 with sigma_t^2 given by variance (ReverseVariance.BETA or BETA_TILDE). */
    public LectureAlgorithm2(ReverseVariance variance) {
        this.variance = diffusion.Arguments.nonNull("variance", variance);
    }

    /** The coefficient of eps in the lecture's line 4: (1 - alpha_t) / sqrt(1 - alpha_t) = sqrt(beta_t). */
    public static double lectureCoefficient(NoiseSchedule schedule, int t) {
        return (1 - schedule.alpha(t)) / Math.sqrt(1 - schedule.alpha(t));
    }

    /** Ho et al.'s coefficient of eps: beta_t / sqrt(1 - alphaBar_t). */
    public static double ddpmCoefficient(NoiseSchedule schedule, int t) {
        return schedule.beta(t) / Math.sqrt(1 - schedule.alphaBar(t));
    }

    @Override
    public String name() {
        return "lecture's Algorithm 2 (line 4: sqrt(1 - alpha_t))";
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    /** Needs a NoiseSchedule and consecutive steps t -> t - 1 (the algorithm is written for them). */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        if (!(model.kernel() instanceof NoiseSchedule)) {
            throw new IllegalArgumentException(name() + " needs a NoiseSchedule, but the model predicts for " + model.kernel());
        }
        for (int k = 0; k < grid.steps(); k++) {
            if (grid.time(k) - grid.time(k + 1) != 1) {
                throw new IllegalArgumentException(name() + ": step " + (k + 1) + " goes from " + grid.time(k) + " to "
                        + grid.time(k + 1) + "; the algorithm takes steps t -> t - 1 (use TimeGrid.full)");
            }
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        NoiseSchedule schedule = (NoiseSchedule) model.kernel();
        int step = NoiseSchedule.step(t);
        NDArray eps = model.epsilon(x, t);
        NDArray mean = x.sub(eps.mul(lectureCoefficient(schedule, step))).div(Math.sqrt(schedule.alpha(step)));
        if (s == 0) {
            return mean; // no noise on the step into the data, as in DDPM
        }
        double sigma = Math.sqrt(variance.sigmaSquared(schedule, t, s));
        return mean.add(noise.normal(x.getManager(), x.getShape()).mul(sigma));
    }
}
