package diffusion.loss;

import diffusion.Arguments;

/**
 * A distribution p over the steps t = 1..T from which a training objective draws one t per row; the estimate
 * L_{t-1} / p_t of the sum over t stays unbiased for any p with every p_t > 0. Samplers may adapt p to the losses
 * they are shown.
 */
public interface TimeSampler {

    /** n steps t (entries in 1..T) with the probability p_t each was drawn with. */
    Draw draw(int n);

    /** Whether the sampler adapts p to recorded losses; objectives compute the per-row terms for record only if so. */
    default boolean adaptive() {
        return false;
    }

    /** Shows the sampler the per-row losses L_{t-1} observed at steps t (same length); the default ignores them. */
    default void record(long[] t, double[] losses) {
    }

    /** Steps and their probabilities, row by row. */
    record Draw(long[] t, double[] probability) {

        /** Refuses a null component, naming it. */
        public Draw {
            Arguments.allNonNull("t, probability", t, probability);
        }
    }
}
