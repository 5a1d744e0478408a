package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.ScoreMlp;

/**
 * Sliced score matching (Song et al. 2019): with random projections v, E[v v^T] = I,
 * SSM: J(theta) = E_v E_p[v^T (grad_x s_theta(x)) v + 1/2 (v^T s_theta(x))^2], and the variance-reduced
 * SSM-VR: J(theta) = E_v E_p[v^T (grad_x s_theta(x)) v + 1/2 ||s_theta(x)||^2], whose second term is integrated
 * over v in closed form. Both have the explicit score-matching objective as their mean. v^T J v comes from the
 * network's exact forward-mode JVP, so one ordinary backward gives the exact parameter gradient.
 */
public final class SlicedScoreMatching {

    private final Projection projection;
    private final int projections;
    private final boolean varianceReduced;

    /** M = projections &gt;= 1 directions per data point drawn from projection; varianceReduced selects SSM-VR. */
    public SlicedScoreMatching(Projection projection, int projections, boolean varianceReduced) {
        Arguments.nonNull("projection", projection);
        this.projection = projection;
        this.projections = Arguments.size("projections", projections, 1);
        this.varianceReduced = varianceReduced;
    }

    /** The objective: draw v of shape (M, n, d) from the projection law, then the mean of {@link #terms}. */
    public Objective objective(ScoreMlp network) {
        return (parameters, x0) -> {
            Shape shape = new Shape(projections, x0.getShape().get(0), x0.getShape().get(1));
            return terms(network, parameters, x0, projection.sample(x0.getManager(), shape, x0.getDataType())).mean();
        };
    }

    /**
     * For x (n, d) and given directions v (M, n, d), shape (M, n): v^T J v + 1/2 (v^T s)^2 (SSM) or
     * v^T J v + 1/2 ||s||^2 (SSM-VR) for each direction and row; their mean is the batch loss.
     */
    public NDArray terms(ScoreMlp network, ParameterStore parameters, NDArray x, NDArray v) {
        NDList forms = JacobianForms.of(network, parameters, x, v);
        NDArray s = forms.head();
        NDArray half = varianceReduced
                ? Scalar.times(s.square().sum(new int[] {1}), 0.5).expandDims(0) // 1/2 ||s||^2
                : Scalar.times(v.mul(s.expandDims(0)).sum(new int[] {2}).square(), 0.5); // 1/2 (v^T s)^2
        return forms.get(1).add(half);
    }

    @Override
    public String toString() {
        return (varianceReduced ? "SSM-VR" : "SSM") + "(" + projection + ", M=" + projections + ")";
    }
}
