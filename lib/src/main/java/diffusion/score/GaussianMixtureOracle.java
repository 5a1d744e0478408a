package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
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

    /** The oracle of data diffused by kernel. */
    public GaussianMixtureOracle(GaussianMixture data, PerturbationKernel kernel) {
        this.data = Arguments.nonNull("data", data);
        this.kernel = Arguments.nonNull("kernel", kernel);
    }

    /**
     * The class-conditional oracle for label k: the data given that x_0 came from component k, i.e. the Gaussian
     * N(mu_k, diag var_k), under the same kernel (the label is bound into the model). By Bayes,
     * grad log p_t(x) = sum_k p_t(k | x) grad log p_t(x | k), with p_t(k | x) the posterior weight of component k.
     */
    public GaussianMixtureOracle conditional(int k) {
        if (k < 0 || k >= data.components()) {
            throw new IllegalArgumentException("k = " + k + ": the label must lie in 0.." + (data.components() - 1));
        }
        return new GaussianMixtureOracle(GaussianMixture.of(new double[] {1}, new double[][] {data.means()[k]},
                new double[][] {data.variances()[k]}), kernel);
    }

    /** The data distribution p_0. */
    public GaussianMixture data() {
        return data;
    }

    /** p_t, the exact marginal law of x_t, t in the kernel's range. */
    public GaussianMixture marginal(double t) {
        kernel.requireTime("t", t);
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
