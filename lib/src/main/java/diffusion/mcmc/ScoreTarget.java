package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import java.util.function.UnaryOperator;

/**
 * A target known only through a score s(x) ~ grad log p*(x), such as a learned network: unadjusted Langevin (ULA)
 * needs only the gradient, so it runs on this target; anything that needs log p* (MALA's accept step) is refused.
 */
public final class ScoreTarget implements Target {

    private final String name;
    private final int dim;
    private final UnaryOperator<NDArray> score;

    /** score maps x (N, dim) to s(x) (N, dim); name is a short snake_case label. */
    public ScoreTarget(String name, int dim, UnaryOperator<NDArray> score) {
        Arguments.allNonNull("name, score", name, score);
        this.name = name;
        this.dim = Arguments.size("dim", dim, 1);
        this.score = score;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public String name() {
        return name;
    }

    /** Refused: a score alone does not determine log p* (use ULA, not MALA). */
    @Override
    public NDArray logDensity(NDArray x) {
        throw new UnsupportedOperationException(name + " is known only through its score: it has no log-density, so "
                + "only samplers that use the gradient alone (ULA) can run on it");
    }

    /** s(x), shape (N, dim), checked. */
    @Override
    public NDArray gradLogDensity(NDArray x) {
        Arguments.floatingBatch("x", x, "N", dim);
        NDArray s = score.apply(x);
        if (!s.getShape().equals(x.getShape())) {
            throw new IllegalStateException("the score of " + name + " returned shape " + s.getShape() + " for x of shape "
                    + x.getShape());
        }
        return s;
    }
}
