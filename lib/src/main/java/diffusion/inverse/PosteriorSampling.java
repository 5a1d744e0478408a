package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.guidance.Guided;
import diffusion.guidance.LogLikelihood;
import diffusion.score.ScoreModel;

/**
 * Diffusion posterior sampling (Chung et al. 2023, DPS): the likelihood of a noisy linear measurement given the
 * state x_t, p(y | x_t) = int p(y | x_0) p(x_0 | x_t) dx_0, approximated by its value at the posterior mean,
 * p(y | x_t) ~ p(y | x0hat(x_t)) with x0hat = E[x_0 | x_t] (Tweedie, the model's denoiser): log p(y | x_t) ~
 * -||y - A x0hat(x_t)||^2 / (2 sigma_y^2). Its gradient, through the denoiser by autograd, guides the model's score
 * through Guided (gamma = 1 is the stated approximation). Chung et al.'s own step replaces the Gaussian weight
 * 1 / (2 sigma_y^2) by zeta / ||y - A x0hat||, i.e. the term -zeta ||y - A x0hat|| (normalised()), whose gradient has
 * the size zeta ||J^T A^T u|| for a unit residual direction u whatever the residual's size: stable where the Gaussian
 * weight of a small sigma_y overshoots.
 */
public final class PosteriorSampling implements LogLikelihood {

    private final ScoreModel model;
    private final Observation observation;
    private final double zeta;

    /** The DPS term of observation (sigma_y &gt; 0) for model's denoiser. */
    public PosteriorSampling(ScoreModel model, Observation observation) {
        this(model, observation, Double.NaN);
        if (!(observation.sigmaY() > 0)) {
            throw new IllegalArgumentException("sigmaY = " + observation.sigmaY() + ": DPS's Gaussian likelihood needs sigma_y > 0");
        }
    }

    private PosteriorSampling(ScoreModel model, Observation observation, double zeta) {
        this.model = Arguments.nonNull("model", model);
        this.observation = Arguments.nonNull("observation", observation);
        this.zeta = zeta;
        observation.operator().requireModel(model);
    }

    /** Chung et al.'s normalised step: the term -zeta ||y - A x0hat(x_t)|| per row, 0 &lt; zeta &lt;= MAX_GUIDANCE (sigma_y is not used). */
    public static Guided normalised(ScoreModel model, Observation observation, double zeta) {
        Arguments.within("zeta", Arguments.positive("zeta", zeta), 0, Arguments.MAX_GUIDANCE);
        return new Guided(model, new PosteriorSampling(model, observation, zeta), 1);
    }

    /** The guided model s(x, t) + gamma grad log p(y | x0hat(x_t)), a score model every sampler runs on. */
    public static Guided model(ScoreModel model, Observation observation, double gamma) {
        return new Guided(model, new PosteriorSampling(model, observation), gamma);
    }

    /** -||y - A x0hat(x_t)||^2 / (2 sigma_y^2) per row, or -zeta ||y - A x0hat(x_t)|| (normalised). */
    @Override
    public NDArray logLikelihood(NDArray x, double t) {
        NDArray residual = observation.values(x).sub(observation.operator().apply(model.denoise(x, t))); // y - A x0hat
        NDArray squared = residual.square().reshape(x.getShape().get(0), -1).sum(new int[] {1});
        if (Double.isNaN(zeta)) {
            return squared.mul(-0.5 / (observation.sigmaY() * observation.sigmaY()));
        }
        return squared.add(1e-12).sqrt().mul(-zeta); // -zeta ||r||; the 1e-12 keeps the gradient finite at r = 0
    }

    @Override
    public String toString() {
        return Double.isNaN(zeta) ? "DPS (" + observation + ")" : "DPS (zeta = " + zeta + ", " + observation.operator() + ")";
    }
}
