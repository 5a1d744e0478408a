package diffusion.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.loss.VariationalBound;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ChainModel;
import diffusion.score.ScoreModel;

/**
 * The variational diffusion model as a Markovian hierarchical VAE whose encoder q(x_t | x_{t-1}) is fixed: with the
 * reverse variance betaTilde_t, its KL term L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)), t in 2..T, read three
 * ways (Luo 2022, eqs. 99, 130, 148), per row:
 * predict x_0: 1/2 (SNR(t-1) - SNR(t)) ||x_0 - x0hat||^2; predict the noise: 1/2 (SNR(t-1) - SNR(t)) (1 - alphaBar_t) /
 * alphaBar_t ||eps - epshat||^2; predict the score: 1/2 (SNR(t-1) - SNR(t)) (1 - alphaBar_t)^2 / alphaBar_t
 * ||grad log q(x_t | x_0) - s_theta||^2, with grad log q(x_t | x_0) = -eps / sqrt(1 - alphaBar_t).
 */
public final class ElboReadings {

    private final VariationalBound bound;
    private final NoiseSchedule schedule;

    /** The readings of a bound's KL terms (its schedule with T >= 2). */
    public ElboReadings(VariationalBound bound) {
        this.bound = Arguments.nonNull("bound", bound);
        this.schedule = bound.schedule();
    }

    /** The KL term itself through loss.VariationalBound with the model's DDPM chain (sigma_t^2 = betaTilde_t), per row (n,). */
    public NDArray kl(ScoreModel model, NDArray x0, NDArray eps, int t) {
        NDArray xt = noisy(x0, eps, t);
        NDArray steps = x0.getManager().full(new Shape(x0.getShape().get(0)), t, DataType.INT64);
        return bound.term(x0, xt, steps, ChainModel.ddpm(model, ReverseVariance.BETA_TILDE).reverse(xt, t));
    }

    /** Predict x_0: 1/2 (SNR(t-1) - SNR(t)) ||x_0 - x0hat(x_t)||^2 per row (n,). */
    public NDArray predictX0(ScoreModel model, NDArray x0, NDArray eps, int t) {
        NDArray x0hat = model.denoise(noisy(x0, eps, t), t);
        return Scalar.times(x0.sub(x0hat).square().sum(new int[] {1}), bound.snrWeight(t));
    }

    /** Predict the noise: 1/2 (SNR(t-1) - SNR(t)) (1 - alphaBar_t) / alphaBar_t ||eps - epshat(x_t)||^2 per row (n,). */
    public NDArray predictNoise(ScoreModel model, NDArray x0, NDArray eps, int t) {
        NDArray epshat = model.epsilon(noisy(x0, eps, t), t);
        double alphaBar = schedule.alphaBar(t);
        return Scalar.times(eps.sub(epshat).square().sum(new int[] {1}), bound.snrWeight(t) * (1 - alphaBar) / alphaBar);
    }

    /** Predict the score: 1/2 (SNR(t-1) - SNR(t)) (1 - alphaBar_t)^2 / alphaBar_t ||-eps / sqrt(1 - alphaBar_t) - s(x_t)||^2 per row (n,). */
    public NDArray predictScore(ScoreModel model, NDArray x0, NDArray eps, int t) {
        NDArray score = model.score(noisy(x0, eps, t), t);
        double alphaBar = schedule.alphaBar(t);
        NDArray target = Scalar.times(eps, -1 / Math.sqrt(1 - alphaBar)); // grad log q(x_t | x_0)
        return Scalar.times(target.sub(score).square().sum(new int[] {1}), bound.snrWeight(t) * (1 - alphaBar) * (1 - alphaBar) / alphaBar);
    }

    private NDArray noisy(NDArray x0, NDArray eps, int t) {
        Arguments.requireSame("x0", x0, "eps", eps);
        Arguments.bounded("x0", x0, Arguments.MAX_POINT_ENTRY);
        Arguments.bounded("eps", eps, Arguments.MAX_POINT_ENTRY);
        if (t < 2 || t > schedule.T()) {
            throw new IllegalArgumentException("t = " + t + ": the three readings are of the KL terms, t in 2.." + schedule.T());
        }
        return x0.mul(Math.sqrt(schedule.alphaBar(t))).add(eps.mul(Math.sqrt(1 - schedule.alphaBar(t)))); // x_t = sqrt(alphaBar) x_0 + sqrt(1 - alphaBar) eps
    }
}
