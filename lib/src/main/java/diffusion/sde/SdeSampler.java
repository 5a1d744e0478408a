package diffusion.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A sampler that turns a reverse SDE (a forward SDE with a score model) into samples of x(0) and reports the score
 * evaluations it spent: what comparison tables iterate over, whatever the method (predictor-corrector, an ODE solver).
 */
@FunctionalInterface
public interface SdeSampler {

    /** n samples from reverse, seeded, living in manager, with the number of score evaluations per sample (NFE). */
    Result sample(NDManager manager, ReverseSde reverse, int n, long seed);

    /** Samples (n, d) and the score evaluations (NFE) spent per sample. */
    record Result(NDArray samples, int scoreEvaluations) {
    }
}
