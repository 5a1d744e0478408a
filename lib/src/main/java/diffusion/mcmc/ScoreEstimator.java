package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;

/**
 * An estimate of the score of the OU-diffused target, grad log p_s(x), at forward time s &gt; 0 (RDMC, Algorithm 1,
 * line 4). By Lemma 2, grad log p_s(x) = E_{x_0 ~ q_s(. | x)}[(e^{-s} x_0 - x) / (1 - e^{-2 s})] with
 * q_s(x_0 | x) proportional to p*(x_0) exp(-||x - e^{-s} x_0||^2 / (2 (1 - e^{-2 s}))); implementations differ in
 * how they sample q_s.
 */
public interface ScoreEstimator {

    /** A short description for tables, e.g. "importance sampling (n = 64)". */
    String name();

    /**
     * The estimate at each row of x (shape (P, d)), from evaluations of target (each one counted by the caller's
     * {@link MeteredTarget}); random draws come from noise.
     */
    Estimate estimate(Target target, NDArray x, double s, Noise noise);

    /**
     * One score estimate.
     *
     * @param score the estimate of grad log p_s(x), shape (P, d), owned by x's manager
     * @param standardError its Monte Carlo standard error per entry, shape (P, d) (0 for an exact score)
     * @param proposals Metropolis-Hastings proposals made by inner chains (0 if none)
     * @param accepted proposals accepted
     */
    record Estimate(NDArray score, NDArray standardError, long proposals, long accepted) {

        /** Refuses a null component, naming it. */
        public Estimate {
            Arguments.allNonNull("score, standardError", score, standardError);
        }
    }
}
