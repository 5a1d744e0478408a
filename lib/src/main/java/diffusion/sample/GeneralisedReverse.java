package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ReverseModel;
import diffusion.score.ScoreModel;
import java.util.function.IntToDoubleFunction;

/**
 * The reverse kernel matched to a non-Markovian forward process q_lambda: p(x_{t-1} | x_t) = q_lambda(x_{t-1} | x_t,
 * x0(x_t, eps(x_t, t))) in the mean, with a free variance sigma_t^2. The five samplers of the DDIM / Analytic-DPM
 * comparison are all of this form: DDPM (eta = 1, sigma_t^2 = beta_t or betaTilde_t), DDIM (eta = 0, sigma_t^2 = 0),
 * Analytic-DDPM and Analytic-DDIM (eta = 1 or 0, sigma_t^2 = sigma*_t^2).
 */
public final class GeneralisedReverse implements ReverseModel {

    private final ScoreModel model;
    private final NonMarkovianPosterior posterior;
    private final IntToDoubleFunction sigmaSquared;

    /** model must predict the noise of a NoiseSchedule; sigmaSquared(t) >= 0 for t in 1..T. */
    public GeneralisedReverse(ScoreModel model, double eta, IntToDoubleFunction sigmaSquared) {
        this.model = model;
        this.posterior = new NonMarkovianPosterior(requireSchedule(model), eta);
        this.sigmaSquared = sigmaSquared;
    }

    /** The reverse kernel whose variance is lambda_t^2 = eta^2 betaTilde_t, that of the forward process (eta = 1: DDPM with betaTilde). */
    public static GeneralisedReverse matched(ScoreModel model, double eta) {
        NoiseSchedule schedule = requireSchedule(model);
        return new GeneralisedReverse(model, eta, t -> eta * eta * schedule.betaTilde(t));
    }

    private static NoiseSchedule requireSchedule(ScoreModel model) {
        if (!(model.kernel() instanceof NoiseSchedule schedule)) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + ": a discrete NoiseSchedule is required");
        }
        return schedule;
    }

    public NonMarkovianPosterior posterior() {
        return posterior;
    }

    @Override
    public int dim() {
        return model.dim();
    }

    @Override
    public NoiseSchedule schedule() {
        return posterior.schedule();
    }

    /** sigma_t^2, t in 1..T. */
    public double sigmaSquared(int t) {
        double value = sigmaSquared.applyAsDouble(t);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("sigma_" + t + "^2 = " + value + ": a reverse variance must be finite and >= 0");
        }
        return value;
    }

    /** mean = sqrt(alphaBar_{t-1}) x0(x_t, eps) + sqrt(1 - alphaBar_{t-1} - lambda_t^2) eps, log variance = log sigma_t^2 (a scalar). */
    @Override
    public Gaussian reverse(NDArray xt, int t) {
        NDArray mean = posterior.meanFromEpsilon(xt, model.epsilon(xt, t), t);
        return new Gaussian(mean, xt.getManager().create((float) Math.log(sigmaSquared(t))));
    }
}
