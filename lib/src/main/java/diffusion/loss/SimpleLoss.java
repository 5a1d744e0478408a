package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import diffusion.process.ForwardProcess;
import diffusion.process.Shapes;

/**
 * Ho et al.'s simplified objective L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(alphaBar_t) x_0
 * + sqrt(1 - alphaBar_t) eps, t) ||^2, estimated on a batch with one t per row.
 */
public final class SimpleLoss {

    private SimpleLoss() {
    }

    /** The batch mean of ||eps - eps_theta(x_t, t)||^2 (squared norm summed over dimensions), a scalar. */
    public static NDArray compute(
            Block network, ParameterStore parameters, ForwardProcess forward, NDArray x0, NDArray t, NDArray eps) {
        Shapes.requireSame("x0", x0, "eps", eps);
        NDArray xt = forward.sample(x0, t, eps);
        NDArray predicted = network.forward(parameters, new NDList(xt, t), true).head();
        return eps.sub(predicted).square().sum(new int[] {1}).mean();
    }
}
