package diffusion.score;

import ai.djl.ndarray.NDArray;
import diffusion.schedule.PerturbationKernel;

/**
 * The seam between models and algorithms: a noise predictor eps(x_t, t) for a given perturbation kernel
 * x_t = m(t) x_0 + s(t) eps. Samplers, likelihoods and metrics see only this interface; trained networks and
 * analytic oracles both implement it.
 */
public interface ScoreModel {

    /** The data dimension d: inputs are batches (n, d). */
    int dim();

    /** The perturbation kernel whose noise this model predicts. */
    PerturbationKernel kernel();

    /** eps(x_t, t): the predicted noise for a batch x_t of shape (n, d) at time t, shape (n, d). */
    NDArray epsilon(NDArray x, double t);

    /** The score grad_x log p_t(x) = -eps(x_t, t) / s(t) (the eps-score relation). */
    default NDArray score(NDArray x, double t) {
        return epsilon(x, t).div(-kernel().std(t));
    }

    /** Tweedie's formula: E[x_0 | x_t] = (x_t + s(t)^2 grad log p_t(x_t)) / m(t) = (x_t - s(t) eps) / m(t). */
    default NDArray denoise(NDArray x, double t) {
        PerturbationKernel k = kernel();
        return x.sub(epsilon(x, t).mul(k.std(t))).div(k.meanScale(t));
    }
}
