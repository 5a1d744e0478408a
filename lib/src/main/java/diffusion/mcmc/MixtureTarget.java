package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.data.GaussianMixture;

/**
 * A Gaussian mixture p*(x) = sum_k w_k N(x; mu_k, diag(var_k)) as a sampling target: density and score come from
 * {@link GaussianMixture}, and the mode weights w_k and centres mu_k are known, so a sampler's recovered weights
 * can be scored exactly.
 */
public final class MixtureTarget implements Target {

    private final GaussianMixture mixture;

    public MixtureTarget(GaussianMixture mixture) {
        Arguments.nonNull("mixture", mixture);
        this.mixture = mixture;
    }

    /**
     * K isotropic modes N(mu_k, std^2 I) in R^dim with the given weights, mu_k = radius * e_(k mod dim) * (+1 for
     * k &lt; dim, -1 for dim &lt;= k &lt; 2 dim): the modes sit on the coordinate axes, at pairwise distance at least
     * radius * sqrt(2); K = weights.length must be in [1, 2 dim].
     */
    public static MixtureTarget axes(int dim, double radius, double std, double... weights) {
        Arguments.size("dim", dim, 1);
        Arguments.finiteResult("radius", Arguments.positive("radius", radius), "radius^2", radius * radius);
        if (weights.length < 1 || weights.length > 2 * dim) {
            throw new IllegalArgumentException("weights has length " + weights.length + "; the axis mixture in dim = "
                    + dim + " has between 1 and " + 2 * dim + " modes");
        }
        double[][] means = new double[weights.length][dim];
        for (int k = 0; k < weights.length; k++) {
            means[k][k % dim] = k < dim ? radius : -radius;
        }
        return new MixtureTarget(GaussianMixture.isotropic(weights, means, std));
    }

    /** The mixture itself (for exact samples and the diffused oracle). */
    public GaussianMixture mixture() {
        return mixture;
    }

    /** The normalised mode weights w_k. */
    public double[] modeWeights() {
        return mixture.weights();
    }

    /** The mode centres mu_k, shape [K][d]. */
    public double[][] modes() {
        return mixture.means();
    }

    @Override
    public int dim() {
        return mixture.dim();
    }

    @Override
    public String name() {
        return mixture.name();
    }

    /** log p*(x) = log sum_k w_k N(x; mu_k, diag(var_k)) (normalised). */
    @Override
    public NDArray logDensity(NDArray x) {
        return mixture.logDensity(x);
    }

    /** grad log p*(x) = sum_k r_k(x) (mu_k - x) / var_k. */
    @Override
    public NDArray gradLogDensity(NDArray x) {
        return mixture.score(x);
    }
}
