package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.OrnsteinUhlenbeck;

/**
 * The exact diffused score of a Gaussian-mixture target, grad log p_s(x) with p_s the law of
 * e^{-s} x_0 + sqrt(1 - e^{-2 s}) eps, from {@link GaussianMixtureOracle} under the OU kernel: the reference that
 * separates RDMC's discretisation error from its Monte Carlo error. It evaluates no target.
 */
public final class ExactScore implements ScoreEstimator {

    private final GaussianMixtureOracle oracle;

    public ExactScore(GaussianMixture mixture) {
        Arguments.nonNull("mixture", mixture);
        this.oracle = new GaussianMixtureOracle(mixture, OrnsteinUhlenbeck.KERNEL);
    }

    @Override
    public String name() {
        return "exact score";
    }

    /** grad log p_s(x) of the diffused mixture; target is not evaluated. */
    @Override
    public Estimate estimate(Target target, NDArray x, double s, Noise noise) {
        Arguments.positive("s", s);
        NDArray score = oracle.score(x, s);
        return new Estimate(score, score.zerosLike(), 0, 0);
    }
}
