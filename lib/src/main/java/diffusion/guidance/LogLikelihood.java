package diffusion.guidance;

import ai.djl.ndarray.NDArray;

/**
 * A time-dependent log-likelihood log p_t(y | x_t) of an observation y (a class label, a measurement) given the noisy
 * state x_t, up to a constant in x: the term whose gradient guidance adds to a score. The observation is bound into
 * the term, as the label is bound into a conditional model. It must be differentiable in x with DJL's autograd.
 */
@FunctionalInterface
public interface LogLikelihood {

    /** log p_t(y | x_i) per row, shape (n,), for x of shape (n, sampleShape...) at time t. */
    NDArray logLikelihood(NDArray x, double t);
}
