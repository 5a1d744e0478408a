package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * A training objective: the scalar batch loss L(theta; x_0) for a batch of data x_0 (n, d), differentiable in the
 * network parameters read through the parameter store. It draws its own randomness (t, eps, projections ...)
 * from the engine's seeded generator.
 */
@FunctionalInterface
public interface Objective {

    /** The batch loss, a scalar NDArray. */
    NDArray loss(ParameterStore parameters, NDArray x0);
}
