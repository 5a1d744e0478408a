package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.ScoreMlp;

/** The quadratic forms v^T (grad_x s_theta(x)) v of a score network for M directions per row, shared by ESM and SSM. */
final class JacobianForms {

    private JacobianForms() {
    }

    /**
     * For x of shape (n, d) and directions v of shape (M, n, d): the pair (s_theta(x), v_m^T J(x_i) v_m,i) with
     * shapes (n, d) and (M, n), from one exact forward-mode JVP pass over the M n rows.
     */
    static NDList of(ScoreMlp network, ParameterStore parameters, NDArray x, NDArray v) {
        Arguments.requireBatch("x", x, network.dim());
        long n = x.getShape().get(0);
        int d = network.dim();
        if (v.getShape().dimension() != 3 || v.getShape().get(1) != n || v.getShape().get(2) != d) {
            throw new IllegalArgumentException("v has shape " + v.getShape() + ": expected (M, " + n + ", " + d + ")");
        }
        long m = v.getShape().get(0);
        NDArray rows = v.reshape(m * n, d);
        NDList pass = network.jvp(parameters, x.tile(new long[] {m, 1}), rows, true); // x repeated M times
        NDArray forms = rows.mul(pass.get(1)).sum(new int[] {1}).reshape(m, n); // v^T (J v)
        return new NDList(pass.head().get("0:" + n), forms);
    }
}
