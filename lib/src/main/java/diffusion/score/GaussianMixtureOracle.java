package diffusion.score;

import diffusion.Arguments;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.schedule.PerturbationKernel;

/**
 * The analytic oracle for Gaussian-mixture data: the diffused law p_t of x_t = m(t) x_0 + s(t) eps is again a
 * Gaussian mixture (means m mu_k, variances m^2 var_k + s^2), so its score, and the optimal noise predictor
 * eps*(x_t, t) = -s(t) grad log p_t(x_t), are exact at every t.
 */
public final class GaussianMixtureOracle implements ScoreModel {

    private final GaussianMixture data;
    private final PerturbationKernel kernel;

    public GaussianMixtureOracle(GaussianMixture data, PerturbationKernel kernel) {
        this.data = data;
        this.kernel = kernel;
    }

    /** The data distribution p_0. */
    public GaussianMixture data() {
        return data;
    }

    /** p_t, the exact marginal law of x_t. */
    public GaussianMixture marginal(double t) {
        return data.diffuse(kernel.meanScale(t), kernel.std(t));
    }

    /** (d). */
    @Override
    public Shape sampleShape() {
        return new Shape(data.dim());
    }

    /** The oracle computes the score. */
    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.SCORE;
    }

    /** The exact score grad log p_t(x). */
    @Override
    public NDArray output(NDArray x, double t) {
        return score(x, t);
    }

    @Override
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** grad log p_t(x), exact. */
    @Override
    public NDArray score(NDArray x, double t) {
        Arguments.requireBatch("x", x, dim());
        return marginal(t).score(x);
    }
}
