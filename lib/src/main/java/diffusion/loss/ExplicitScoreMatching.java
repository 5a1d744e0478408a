package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.ScoreMlp;

/**
 * Hyvarinen's explicit score matching J(theta) = E_p[tr(grad_x s_theta(x)) + 1/2 ||s_theta(x)||^2], which equals
 * the Fisher divergence 1/2 E_p ||s_theta(x) - grad_x log p(x)||^2 minus the constant 1/2 E_p ||grad_x log p(x)||^2
 * (the trace identity, by integration by parts). The trace is exact: the sum of the d forms e_j^T J e_j, one JVP per
 * basis vector, so the cost grows with d (the low-dimensional reference).
 */
public final class ExplicitScoreMatching {

    private ExplicitScoreMatching() {
    }

    /** J(theta) as a training objective: the batch mean of {@link #terms}. */
    public static Objective objective(ScoreMlp network) {
        Arguments.nonNull("network", network);
        return (parameters, x0) -> terms(network, parameters, x0).mean();
    }

    /** Per row: tr(grad_x s_theta(x_i)) + 1/2 ||s_theta(x_i)||^2, shape (n,), for x of shape (n, d). */
    public static NDArray terms(ScoreMlp network, ParameterStore parameters, NDArray x) {
        NDList forms = JacobianForms.of(network, parameters, x, basis(x.getManager(), x, network.dim()));
        NDArray trace = forms.get(1).sum(new int[] {0}); // tr J = sum_j e_j^T J e_j
        return trace.add(Scalar.times(forms.head().square().sum(new int[] {1}), 0.5)); // tr J + 1/2 ||s||^2
    }

    /** The directions e_1..e_d for every row: shape (d, n, d) with [j, i, :] = e_j. */
    private static NDArray basis(NDManager manager, NDArray x, int d) {
        long n = x.getShape().get(0);
        NDArray identity = manager.eye(d).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
        return identity.expandDims(1).broadcast(d, n, d);
    }
}
