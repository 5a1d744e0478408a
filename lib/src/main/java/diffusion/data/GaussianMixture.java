package diffusion.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A Gaussian mixture with diagonal covariances, p(x) = sum_k w_k N(x; mu_k, diag(var_k)), with
 * exact log-density and score.
 *
 * <p>Weights: every w_k must be finite and &gt; 0; they are normalised explicitly, w_k / sum_j w_j,
 * so {@code {1, 1, 2}} means {@code {1/4, 1/4, 1/2}}. {@link #weights()} returns the normalised
 * weights.
 *
 * <p>The law of a x_0 + s eps with x_0 ~ p and eps ~ N(0, I) is again such a mixture
 * ({@link #diffuse}), which makes this class the exact score oracle at every noise level.
 *
 * <p>{@link #logDensity} and {@link #score} compute in the data type of their argument, on its device, and stay
 * differentiable in it (the likelihood's exact divergence differentiates the score; DJL's type conversion would cut
 * the graph, so there is none). They refuse points with NaN or infinite entries, and points so far away that the
 * result overflows the argument's type, naming how many (in float32 the squared distance of a point 1e19 away
 * overflows: pass such points in float64); a log-density below the type's range rounds to -infinity (density 0, as
 * samplers and MeteredTarget take it). They use O(n K d) scratch memory, released before they return.
 */
public final class GaussianMixture implements DataSource {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final String name;
    private final double[] weights;
    private final double[][] means;
    private final double[][] variances;

    private GaussianMixture(String name, double[] weights, double[][] means, double[][] variances) {
        Arguments.nonNull("weights", weights);
        Arguments.nonNull("means", means);
        Arguments.nonNull("variances", variances);
        int components = weights.length;
        if (components < 1) {
            throw new IllegalArgumentException("weights has length 0; at least one component is required");
        }
        if (means.length != components || variances.length != components) {
            throw new IllegalArgumentException("weights, means and variances have lengths " + components
                    + ", " + means.length + ", " + variances.length + "; they must be equal (one per component)");
        }
        for (int k = 0; k < components; k++) {
            Arguments.nonNull("means[" + k + "]", means[k]);
            Arguments.nonNull("variances[" + k + "]", variances[k]);
        }
        int dim = means[0].length;
        if (dim < 1) {
            throw new IllegalArgumentException("means[0] has length 0; the dimension must be >= 1");
        }
        double total = 0;
        for (int k = 0; k < components; k++) {
            Arguments.positive("weights[" + k + "]", weights[k]);
            total += weights[k];
            if (means[k].length != dim || variances[k].length != dim) {
                throw new IllegalArgumentException("means[" + k + "] and variances[" + k + "] have lengths "
                        + means[k].length + " and " + variances[k].length + "; both must equal d = " + dim);
            }
            for (int j = 0; j < dim; j++) {
                if (!Double.isFinite(means[k][j] * means[k][j])) {
                    throw new IllegalArgumentException("means[" + k + "][" + j + "] = " + means[k][j] + " must be finite with a finite square");
                }
                double variance = Arguments.positive("variances[" + k + "][" + j + "]", variances[k][j]);
                if (!Double.isFinite(1 / variance)) {
                    throw new IllegalArgumentException("variances[" + k + "][" + j + "] = " + variance
                            + ": its reciprocal (the precision) overflows; need a variance >= " + Double.MIN_NORMAL);
                }
            }
        }
        if (!Double.isFinite(total)) {
            throw new IllegalArgumentException("weights " + Arrays.toString(weights) + " sum to " + total
                    + ": the normalisation w_k / sum_j w_j needs a finite sum");
        }
        for (int k = 0; k < components; k++) {
            if (!(weights[k] / total > 0)) {
                throw new IllegalArgumentException("weights[" + k + "] = " + weights[k] + " is 0 after normalisation by the sum "
                        + total + " of the weights in double precision");
            }
        }
        this.name = name;
        this.weights = new double[components];
        this.means = new double[components][];
        this.variances = new double[components][];
        for (int k = 0; k < components; k++) {
            this.weights[k] = weights[k] / total;
            this.means[k] = means[k].clone();
            this.variances[k] = variances[k].clone();
        }
    }

    /** p(x) = sum_k w_k N(x; mu_k, diag(var_k)) with weights normalised to sum 1; arrays are copied. */
    public static GaussianMixture of(double[] weights, double[][] means, double[][] variances) {
        return new GaussianMixture("gaussian_mixture", weights, means, variances);
    }

    /** p(x) = sum_k w_k N(x; mu_k, std^2 I). */
    public static GaussianMixture isotropic(double[] weights, double[][] means, double std) {
        return new GaussianMixture("gaussian_mixture", weights, means, isotropicVariances(means, std));
    }

    /** p(x) = N(x; mean, diag(variance)), a mixture with K = 1. */
    public static GaussianMixture gaussian(double[] mean, double[] variance) {
        Arguments.allNonNull("mean, variance", mean, variance);
        return new GaussianMixture("gaussian", new double[] {1}, new double[][] {mean}, new double[][] {variance});
    }

    /** 8 equal-weight modes mu_k = radius (cos(2 pi k/8), sin(2 pi k/8)), k = 0..7, each N(mu_k, std^2 I). */
    public static GaussianMixture eightGaussians(double radius, double std) {
        Arguments.positive("radius", radius);
        if (!Double.isFinite(radius * radius)) {
            throw new IllegalArgumentException("radius = " + radius + ": radius^2 must be finite");
        }
        double[] weights = new double[8];
        double[][] means = new double[8][];
        for (int k = 0; k < 8; k++) {
            double angle = 2 * Math.PI * k / 8;
            weights[k] = 1;
            means[k] = new double[] {radius * Math.cos(angle), radius * Math.sin(angle)};
        }
        return new GaussianMixture("eight_gaussians", weights, means, isotropicVariances(means, std));
    }

    /** Normalised weights w_k (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** Means mu_k, shape [K][d] (a deep copy). */
    public double[][] means() {
        return deepCopy(means);
    }

    /** Diagonal variances var_k, shape [K][d] (a deep copy). */
    public double[][] variances() {
        return deepCopy(variances);
    }

    /** Number of components K. */
    public int components() {
        return weights.length;
    }

    @Override
    public int dim() {
        return means[0].length;
    }

    @Override
    public String name() {
        return name;
    }

    /** Exact mean E[x]_j = sum_k w_k mu_kj. */
    public double[] mean() {
        double[] mean = new double[dim()];
        for (int k = 0; k < components(); k++) {
            for (int j = 0; j < dim(); j++) {
                mean[j] += weights[k] * means[k][j];
            }
        }
        return mean;
    }

    /** Exact per-dimension variance Var[x]_j = sum_k w_k (var_kj + mu_kj^2) - (E[x]_j)^2. */
    public double[] variance() {
        double[] mean = mean();
        double[] variance = new double[dim()];
        for (int k = 0; k < components(); k++) {
            for (int j = 0; j < dim(); j++) {
                variance[j] += weights[k] * (variances[k][j] + means[k][j] * means[k][j]);
            }
        }
        for (int j = 0; j < dim(); j++) {
            variance[j] -= mean[j] * mean[j];
        }
        return variance;
    }

    /** Law of a x_0 + s eps, x_0 ~ this, eps ~ N(0, I): weights w_k, means a mu_k, variances a^2 var_k + s^2. */
    public GaussianMixture diffuse(double a, double s) {
        Arguments.finite("a", a);
        Arguments.nonNegative("s", s);
        if (a == 0 && s == 0) {
            throw new IllegalArgumentException("a = 0 and s = 0 give a point mass; need a != 0 or s > 0");
        }
        double[][] diffusedMeans = new double[components()][dim()];
        double[][] diffusedVariances = new double[components()][dim()];
        for (int k = 0; k < components(); k++) {
            for (int j = 0; j < dim(); j++) {
                diffusedMeans[k][j] = a * means[k][j];
                diffusedVariances[k][j] = a * a * variances[k][j] + s * s;
                if (!Double.isFinite(diffusedMeans[k][j] * diffusedMeans[k][j]) || !Double.isFinite(diffusedVariances[k][j])
                        || !Double.isFinite(1 / diffusedVariances[k][j])) {
                    throw new IllegalArgumentException("a = " + a + ", s = " + s + " give mean " + diffusedMeans[k][j]
                            + " and variance " + diffusedVariances[k][j] + " for component " + k
                            + ": their squares and the precision must be finite");
                }
            }
        }
        return new GaussianMixture(name, weights, diffusedMeans, diffusedVariances);
    }

    /** Component k ~ Categorical(w), then x = mu_k + sqrt(var_k) * z with z ~ N(0, I), from SplittableRandom(seed). */
    @Override
    public NDArray sample(NDManager manager, int n, long seed) {
        Arguments.sampleCount(n, dim());
        int dim = dim();
        double[] cumulative = new double[components()];
        double running = 0;
        for (int k = 0; k < components(); k++) {
            running += weights[k];
            cumulative[k] = running;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * running;
            int k = 0;
            while (k < components() - 1 && u >= cumulative[k]) {
                k++;
            }
            for (int j = 0; j < dim; j++) {
                data[i * dim + j] = (float) (means[k][j] + Math.sqrt(variances[k][j]) * random.nextGaussian());
            }
        }
        return manager.create(data, new Shape(n, dim));
    }

    /**
     * Exact log p(x_i) = logsumexp_k [log w_k - 1/2 sum_j (log(2 pi var_kj) + (x_ij - mu_kj)^2 / var_kj)],
     * shape (n,), for x of shape (n, d).
     */
    public NDArray logDensity(NDArray x) {
        return inScratch(x, true, points -> {
            NDArray logJoint = logJoint(points, difference(points));
            NDArray peak = logJoint.max(new int[] {1}, true);
            return logJoint.sub(peak).exp().sum(new int[] {1}).log().add(peak.squeeze(1));
        });
    }

    /**
     * Exact score grad_x log p(x) = sum_k r_k(x) (mu_k - x) / var_k with responsibilities
     * r_k(x) = softmax_k(log w_k + log N(x; mu_k, var_k)), shape (n, d), for x of shape (n, d).
     */
    public NDArray score(NDArray x) {
        return inScratch(x, false, points -> {
            NDArray difference = difference(points);
            NDArray responsibilities = logJoint(points, difference).softmax(1).expandDims(2);
            NDArray precision = constant(points, variances).pow(-1).expandDims(0);
            return responsibilities.mul(difference).mul(precision).sum(new int[] {1});
        });
    }

    /** mu_k - x_i as shape (n, K, d). */
    private NDArray difference(NDArray x) {
        return constant(x, means).expandDims(0).sub(x.expandDims(1));
    }

    /** log w_k + log N(x_i; mu_k, diag(var_k)) as shape (n, K), given difference = mu_k - x_i. */
    private NDArray logJoint(NDArray x, NDArray difference) {
        double[] offsets = new double[components()];
        for (int k = 0; k < components(); k++) {
            double logDeterminant = 0;
            for (int j = 0; j < dim(); j++) {
                logDeterminant += Math.log(variances[k][j]);
            }
            offsets[k] = Math.log(weights[k]) - 0.5 * (dim() * LOG_2PI + logDeterminant);
        }
        NDArray mahalanobis = difference.square().div(constant(x, variances).expandDims(0)).sum(new int[] {2});
        return mahalanobis.mul(-0.5).add(constant(x, new double[][] {offsets}));
    }

    /** values as an array of x's data type on x's device, owned by x's current manager. */
    private static NDArray constant(NDArray x, double[][] values) {
        return x.getManager().create(values).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
    }

    /**
     * Runs body on x (in x's data type) inside a scratch manager on x's device; the result alone survives, owned by
     * x's manager. Refuses non-finite x, and x whose result is NaN or infinite in x's data type, except for a
     * log-density (logDensity true) rounded to -infinity: a density below the type's range, which MCMC treats as 0.
     */
    private NDArray inScratch(NDArray x, boolean logDensity, Function<NDArray, NDArray> body) {
        Arguments.floatingBatch("x", x, dim());
        Arguments.finite("x", x);
        NDManager owner = x.getManager();
        try (NDManager scratch = owner.newSubManager(x.getDevice())) {
            scratch.tempAttachAll(x);
            NDArray result = body.apply(x);
            NDArray bad = logDensity ? result.isNaN().logicalOr(result.eq(Double.POSITIVE_INFINITY)) : Arguments.nonFiniteRows(result);
            if (bad.any().getBoolean()) {
                throw new IllegalArgumentException("x has " + bad.countNonzero().getLong()
                        + " rows so far from " + this + " that the result overflows " + x.getDataType()
                        + "; bring them closer (or pass float64 points)");
            }
            result.attach(owner);
            return result;
        }
    }

    /** var_kj = std^2 for every k, j, shaped like means. */
    private static double[][] isotropicVariances(double[][] means, double std) {
        Arguments.nonNull("means", means);
        Arguments.positive("std", std);
        if (!(std * std > 0) || !Double.isFinite(1 / (std * std)) || !Double.isFinite(std * std)) {
            throw new IllegalArgumentException("std = " + std + ": the variance std^2 and its reciprocal must be finite and > 0");
        }
        double[][] variances = new double[means.length][];
        for (int k = 0; k < means.length; k++) {
            variances[k] = new double[Arguments.nonNull("means[" + k + "]", means[k]).length];
            Arrays.fill(variances[k], std * std);
        }
        return variances;
    }

    private static double[][] deepCopy(double[][] array) {
        double[][] copy = new double[array.length][];
        for (int k = 0; k < array.length; k++) {
            copy[k] = array[k].clone();
        }
        return copy;
    }

    @Override
    public String toString() {
        return name + "(K=" + components() + ", d=" + dim() + ")";
    }
}
