package diffusion.score;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.process.NonMarkovianPosterior;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;

/**
 * A noise predictor on a discrete schedule seen as a reverse chain for the variational bound:
 * p(x_{t-1} | x_t) = N(mean of q_lambda(x_{t-1} | x_t, x0_hat), sigma_t^2 I) with x0_hat from eps(x_t, t), for the
 * same (eta, variance) rules the samplers use (sample.GeneralisedReverse). The decoder's variance at t = 1 follows the
 * published convention of Ho et al.'s and improved-diffusion's code for DDPM's two fixed variances: sigma_1^2 =
 * betaTilde_2 (for sigma^2 = beta_t as well as for betaTilde_t, whose betaTilde_1 = 0 has no density); a given rule
 * (Analytic-DPM) is used as given.
 */
public final class ChainModel implements ReverseModel {

    private final ScoreModel model;
    private final NoiseSchedule schedule;
    private final NonMarkovianPosterior posterior;
    private final ReverseVariance variance;

    /** model must predict for a NoiseSchedule; eta in [0, 1]. */
    public ChainModel(ScoreModel model, double eta, ReverseVariance variance) {
        Arguments.allNonNull("model, variance", model, variance);
        if (!(model.kernel() instanceof NoiseSchedule discrete)) {
            throw new IllegalArgumentException("model predicts for " + model.kernel() + ": a reverse chain needs a discrete NoiseSchedule");
        }
        this.model = model;
        this.schedule = discrete;
        this.posterior = new NonMarkovianPosterior(discrete, eta);
        this.variance = variance;
    }

    /** DDPM's chain: eta = 1 with sigma_t^2 = beta_t or betaTilde_t. */
    public static ChainModel ddpm(ScoreModel model, ReverseVariance variance) {
        Arguments.allNonNull("model, variance", model, variance);
        return new ChainModel(model, 1, variance);
    }

    @Override
    public int dim() {
        return model.dim();
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** sigma_t^2 for t in 1..T, with the t = 1 convention of the class comment. */
    public double sigmaSquared(int t) {
        boolean fixed = variance == ReverseVariance.BETA || variance == ReverseVariance.BETA_TILDE;
        double value = fixed && t == 1 && schedule.T() >= 2 ? schedule.betaTilde(2) : variance.sigmaSquared(schedule, t, t - 1);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("sigma_" + t + "^2 = " + value + ": a reverse variance must be finite and >= 0");
        }
        return value;
    }

    /** mean = sqrt(alphaBar_{t-1}) x0_hat + sqrt(1 - alphaBar_{t-1} - lambda_t^2) eps, log variance = log sigma_t^2 (a scalar). */
    @Override
    public Gaussian reverse(NDArray xt, int t) {
        NDArray eps = model.epsilon(xt, t);
        NDArray x0 = Parameterisation.EPSILON.convert(eps, Parameterisation.X0, xt, schedule, t);
        NDArray mean = posterior.meanOf(x0, eps, t, t - 1);
        return new Gaussian(mean, xt.getManager().create((float) Math.log(sigmaSquared(t))));
    }
}
