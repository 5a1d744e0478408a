package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.ScoreMlp;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;

/**
 * A score model s_theta(x_t, t) inside a training objective: per-row times and differentiable in the parameters
 * read through the parameter store (the inference-side counterpart is score/ScoreModel).
 */
@FunctionalInterface
public interface TrainableScore {

    /**
     * s_theta(x_t, t) shaped like x (n, d) or (n, C, H, W), for times t of shape (n,) and the kernel's noise
     * scales std = s(t) of shape (n, 1, ..., 1) (x's rank).
     */
    NDArray score(ParameterStore parameters, NDArray x, NDArray t, NDArray std);

    /** An unconditional score network: s_theta(x_t, t) = s_theta(x_t), one noise level. */
    static TrainableScore of(ScoreMlp network) {
        Arguments.nonNull("network", network);
        return (parameters, x, t, std) -> network.forward(parameters, new NDList(x), true).head();
    }

    /**
     * A noise predictor reading the kernel's own time seen as a score by the eps-score relation:
     * s_theta(x_t, t) = -eps_theta(x_t, t) / s(t).
     */
    static TrainableScore fromEpsilon(TimeNetwork network) {
        return fromEpsilon(network, TimeConditioning.KERNEL_TIME);
    }

    /**
     * As above with the network reading the time through conditioning: s_theta(x_t, t) = -eps_theta(x_t, tau(t)) / s(t)
     * (score/NetworkScoreModel takes the same conditioning at inference).
     */
    static TrainableScore fromEpsilon(TimeNetwork network, TimeConditioning conditioning) {
        Arguments.allNonNull("network, conditioning", network, conditioning);
        return (parameters, x, t, std) -> {
            NDArray eps = network.forward(parameters, new NDList(x, conditioning.input(t)), true).head();
            return network.prediction(eps).div(std).neg(); // -eps_theta / s(t)
        };
    }
}
