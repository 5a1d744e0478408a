package diffusion.loss;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;

/** The Fisher divergence F(q || p) = 1/2 E_p ||s(x) - grad_x log p(x)||^2 between a model score s and the true score. */
public final class FisherDivergence {

    private FisherDivergence() {
    }

    /** Per row: 1/2 ||s(x_i) - grad log p(x_i)||^2, shape (n,), for scores of shape (n, d) at samples x_i ~ p. */
    public static NDArray terms(NDArray score, NDArray trueScore) {
        Arguments.requireSame("score", score, "trueScore", trueScore);
        return Scalar.times(score.sub(trueScore).square().sum(new int[] {1}), 0.5); // 1/2 ||s - grad log p||^2
    }
}
