package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Noise;
import diffusion.score.ScoreModel;

/**
 * A map applied to a sampler's state after each of its moves, x &lt;- c(x, t) at the time t the state is at: the
 * per-step hook of imputation by replacement, ILVR's low-pass replacement and inpainting by projection inside annealed
 * Langevin (GridSampler.constrained). It may draw from the sampler's noise source (a forward-noised copy of an
 * observation) and must return x's shape in x's manager.
 */
public interface Constraint {

    /** The identity: the sampler unchanged. */
    Constraint NONE = new Constraint() {
        @Override
        public NDArray apply(NDArray x, double t, Noise noise) {
            return x;
        }

        @Override
        public String toString() {
            return "unconstrained";
        }
    };

    /** The constrained state at time t. */
    NDArray apply(NDArray x, double t, Noise noise);

    /**
     * Refuses, before any work, a model (its sample shape, its kernel) or a start batch (its rows) this constraint
     * cannot serve (default: accepts all).
     */
    default void check(ScoreModel model, NDArray start) {
    }
}
