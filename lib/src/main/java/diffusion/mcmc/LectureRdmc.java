package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;

/**
 * Algorithm 1 of lecture 000 (slide "Reverse Diffusion Monte Carlo") exactly as printed, for the erratum check only:
 * its line 5 reads x_{k+1} = e^eta x_k + (e^eta - 1) v_k + sqrt(e^{2 eta} - 1) xi, without the factor 2 of its own
 * reverse SDE (the right update is {@link ReverseDiffusionMonteCarlo}'s). It draws its randomness exactly as
 * ReverseDiffusionMonteCarlo.run(manager, target, particles, seed, 0) does (from Noise.seeded(seed): the start, then per step
 * the estimator's draws and one xi), so with the same seed and an exact score the two differ by the coefficient alone.
 */
public final class LectureRdmc {

    private final ReverseDiffusionMonteCarlo right;

    /** Terminal time T &gt; 0, outer step eta in (0, T], and the score estimator, as for the right update. */
    public LectureRdmc(double horizon, double eta, ScoreEstimator estimator) {
        this.right = new ReverseDiffusionMonteCarlo(horizon, eta, estimator);
    }

    /** The number of outer steps K = floor(T / eta). */
    public int steps() {
        return right.steps();
    }

    /** particles &gt;= 1 final points (P, d) in manager, from x_0 ~ N(0, I) drawn from Noise.seeded(seed). */
    public NDArray run(NDManager manager, Target target, int particles, long seed) {
        Arguments.atLeast("particles", particles, 1);
        double eta = right.eta();
        Noise noise = Noise.seeded(seed);
        NDArray x = noise.normal(manager, new Shape(particles, target.dim()));
        for (int k = 0; k < right.steps(); k++) {
            try (NDManager scope = manager.newSubManager()) {
                x.attach(scope);
                double s = right.horizon() - k * eta;
                NDArray v = right.estimator().estimate(target, x, s, noise).score();
                NDArray xi = noise.normal(scope, x.getShape()).toType(x.getDataType(), false);
                // the lecture's line 5: (e^eta - 1) v where its reverse SDE gives 2 (e^eta - 1) v
                NDArray next = x.mul(Math.exp(eta)).add(v.mul(Math.expm1(eta))).add(xi.mul(Math.sqrt(Math.expm1(2 * eta))));
                next.attach(manager);
                x = next;
            }
        }
        return x;
    }
}
