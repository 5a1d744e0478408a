package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.process.Posterior;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ReverseModel;
import diffusion.score.ScoreModel;

/**
 * Ho et al.'s reverse kernel with a fixed variance: p(x_{t-1} | x_t) = N((x_t - beta_t / sqrt(1 - alphaBar_t)
 * eps(x_t, t)) / sqrt(alpha_t), sigma_t^2 I) with sigma_t^2 = beta_t or betaTilde_t, over any noise predictor.
 */
public final class FixedVarianceReverse implements ReverseModel {

    private final ScoreModel model;
    private final NoiseSchedule schedule;
    private final DdpmVariance variance;
    private final Posterior posterior;

    /** model must predict the noise of schedule. */
    public FixedVarianceReverse(ScoreModel model, NoiseSchedule schedule, DdpmVariance variance) {
        if (model.kernel() != schedule) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + " but the reverse kernel runs " + schedule);
        }
        this.model = model;
        this.schedule = schedule;
        this.variance = variance;
        this.posterior = new Posterior(schedule);
    }

    @Override
    public int dim() {
        return model.dim();
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** mean = posterior.meanFromEpsilon(x_t, eps(x_t, t), t), log variance = log sigmaSquared(t) (a scalar). */
    @Override
    public Gaussian reverse(NDArray xt, int t) {
        NDArray mean = posterior.meanFromEpsilon(xt, model.epsilon(xt, t), t);
        return new Gaussian(mean, xt.getManager().create((float) Math.log(sigmaSquared(t))));
    }

    /**
     * sigma_t^2 = beta_t or betaTilde_t, t in 1..T; where T >= 2, betaTilde_1 = 0 is replaced by betaTilde_2 so that the
     * decoder p(x_0 | x_1) has a density (as for the learned variance). Sampling adds no noise at t = 1 either way.
     */
    public double sigmaSquared(int t) {
        return variance == DdpmVariance.BETA_TILDE && t == 1 && schedule.T() >= 2 ? schedule.betaTilde(2) : variance.sigmaSquared(schedule, t);
    }
}
