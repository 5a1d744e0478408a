package diffusion.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.data.GaussianMixture;
import diffusion.metrics.ModeWeights;
import java.util.SplittableRandom;

/**
 * An exact posterior that is a mixture of Gaussians with full covariances, sum_k w_k N(mu_k, Sigma_k), computed in
 * double precision and sampled through Cholesky factors: the law of the missing coordinates of a diagonal Gaussian
 * mixture given the observed ones (imputation), and the posterior of a diagonal Gaussian-mixture prior under a
 * linear-Gaussian measurement y = A x + sigma_y n. Its errors() measure a sampler's draws against it.
 */
public final class GaussianMixturePosterior {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[] weights;
    private final double[][] means;
    private final double[][][] covariances;

    private GaussianMixturePosterior(double[] logWeights, double[][] means, double[][][] covariances) {
        double peak = Double.NEGATIVE_INFINITY;
        for (double w : logWeights) {
            peak = Math.max(peak, w);
        }
        double total = 0;
        this.weights = new double[logWeights.length];
        for (int k = 0; k < logWeights.length; k++) {
            weights[k] = Math.exp(logWeights[k] - peak); // softmax of the log weights
            total += weights[k];
        }
        for (int k = 0; k < weights.length; k++) {
            weights[k] /= total;
        }
        this.means = means;
        this.covariances = covariances;
    }

    /**
     * The missing coordinates of x ~ prior given x_j = y_j at the observed j (observed[j]; y is read there only): the
     * components are independent across coordinates, so component k keeps its missing means and variances and is
     * re-weighted, w_k' proportional to w_k prod_{j observed} N(y_j; mu_kj, var_kj).
     */
    public static GaussianMixturePosterior imputation(GaussianMixture prior, boolean[] observed, double[] y) {
        Arguments.nonNull("prior", prior);
        Arguments.nonNull("observed", observed);
        Arguments.bounded("y", y, Arguments.MAX_POINT_ENTRY);
        int d = prior.dim();
        if (observed.length != d || y.length != d) {
            throw new IllegalArgumentException("observed has " + observed.length + " and y " + y.length + " entries; both must equal d = " + d);
        }
        int missing = 0;
        for (boolean o : observed) {
            missing += o ? 0 : 1;
        }
        if (missing == 0 || missing == d) {
            throw new IllegalArgumentException(missing + " of " + d + " coordinates are missing: imputation needs 1 to d - 1");
        }
        int components = prior.components();
        double[] logWeights = new double[components];
        double[][] means = new double[components][missing];
        double[][][] covariances = new double[components][missing][missing];
        for (int k = 0; k < components; k++) {
            double[] mu = prior.means()[k];
            double[] var = prior.variances()[k];
            logWeights[k] = Math.log(prior.weights()[k]);
            for (int j = 0, m = 0; j < d; j++) {
                if (observed[j]) {
                    logWeights[k] -= 0.5 * (LOG_2PI + Math.log(var[j]) + (y[j] - mu[j]) * (y[j] - mu[j]) / var[j]); // log N(y_j; mu_kj, var_kj)
                } else {
                    means[k][m] = mu[j];
                    covariances[k][m][m] = var[j];
                    m++;
                }
            }
        }
        return new GaussianMixturePosterior(logWeights, means, covariances);
    }

    /**
     * The posterior of x ~ prior given y = A x + sigma_y n (sigma_y &gt; 0): component k has precision
     * Sigma_k^{-1} = V_k^{-1} + A^T A / sigma_y^2, mean mu_k' = Sigma_k (V_k^{-1} mu_k + A^T y / sigma_y^2) and weight
     * proportional to w_k N(y; A mu_k, A V_k A^T + sigma_y^2 I), V_k = diag(var_k).
     */
    public static GaussianMixturePosterior linear(GaussianMixture prior, double[][] a, double sigmaY, double[] y) {
        Arguments.nonNull("prior", prior);
        Arguments.nonNull("a", a);
        Arguments.bounded("y", y, Arguments.MAX_POINT_ENTRY);
        Arguments.positive("sigmaY", sigmaY);
        Arguments.finiteResult("sigmaY", sigmaY, "sigmaY^2", sigmaY * sigmaY);
        Arguments.finiteResult("sigmaY", sigmaY, "1 / sigmaY^2", 1 / (sigmaY * sigmaY));
        int d = prior.dim();
        int rows = a.length;
        if (rows < 1 || y.length != rows) {
            throw new IllegalArgumentException("a has " + rows + " rows and y " + y.length + " entries: need equal counts >= 1");
        }
        for (int i = 0; i < rows; i++) {
            if (Arguments.bounded("a[" + i + "]", a[i], Arguments.MAX_POINT_ENTRY).length != d) {
                throw new IllegalArgumentException("a[" + i + "] has " + a[i].length + " entries but the prior has d = " + d);
            }
        }
        double noise = sigmaY * sigmaY;
        double[][] at = Dense.transpose(a);
        double[][] gram = Dense.multiply(at, a);
        double[] aty = Dense.multiply(at, y);
        int components = prior.components();
        double[] logWeights = new double[components];
        double[][] means = new double[components][];
        double[][][] covariances = new double[components][][];
        for (int k = 0; k < components; k++) {
            double[] mu = prior.means()[k];
            double[] var = prior.variances()[k];
            double[][] precision = new double[d][d];
            double[] b = new double[d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    precision[i][j] = gram[i][j] / noise + (i == j ? 1 / var[i] : 0); // V_k^{-1} + A^T A / sigma_y^2
                }
                b[i] = mu[i] / var[i] + aty[i] / noise;
            }
            covariances[k] = Dense.inverse(precision);
            means[k] = Dense.multiply(covariances[k], b);
            double[][] marginal = new double[rows][rows]; // A V_k A^T + sigma_y^2 I
            double[] residual = Dense.multiply(a, mu);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < rows; j++) {
                    for (int l = 0; l < d; l++) {
                        marginal[i][j] += a[i][l] * var[l] * a[j][l];
                    }
                }
                marginal[i][i] += noise;
                residual[i] = y[i] - residual[i]; // y - A mu_k
            }
            logWeights[k] = Math.log(prior.weights()[k]) + logNormal(residual, Dense.cholesky(marginal));
        }
        return new GaussianMixturePosterior(logWeights, means, covariances);
    }

    /** log N(r; 0, S) with S = L L^T. */
    private static double logNormal(double[] r, double[][] l) {
        double[] solved = Dense.solve(l, r);
        double quadratic = 0;
        for (int i = 0; i < r.length; i++) {
            quadratic += r[i] * solved[i];
        }
        return -0.5 * (r.length * LOG_2PI + Dense.logDeterminant(l) + quadratic);
    }

    /**
     * This posterior as a diagonal GaussianMixture (an imputation's posterior is one), so that its exact diffused
     * score (GaussianMixtureOracle) drives the exact conditional reverse SDE; refused when a covariance has an
     * off-diagonal entry.
     */
    public GaussianMixture diagonal() {
        double[][] variances = new double[weights.length][dim()];
        for (int k = 0; k < weights.length; k++) {
            for (int i = 0; i < dim(); i++) {
                for (int j = 0; j < dim(); j++) {
                    if (i != j && covariances[k][i][j] != 0) {
                        throw new IllegalArgumentException("component " + k + " has covariance " + covariances[k][i][j] + " at (" + i + ", " + j
                                + "): not a diagonal mixture");
                    }
                }
                variances[k][i] = covariances[k][i][i];
            }
        }
        return GaussianMixture.of(weights, means(), variances);
    }

    /** The dimension of the posterior's variable. */
    public int dim() {
        return means[0].length;
    }

    /** The component weights w_k' (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** The component means mu_k' (a copy). */
    public double[][] means() {
        double[][] copy = new double[means.length][];
        for (int k = 0; k < means.length; k++) {
            copy[k] = means[k].clone();
        }
        return copy;
    }

    /** Component k's covariance Sigma_k (a copy). */
    public double[][] covariance(int k) {
        double[][] copy = new double[dim()][];
        for (int i = 0; i < dim(); i++) {
            copy[i] = covariances[k][i].clone();
        }
        return copy;
    }

    /** The posterior mean sum_k w_k mu_k. */
    public double[] mean() {
        double[] mean = new double[dim()];
        for (int k = 0; k < weights.length; k++) {
            for (int i = 0; i < dim(); i++) {
                mean[i] += weights[k] * means[k][i];
            }
        }
        return mean;
    }

    /** The posterior covariance sum_k w_k (Sigma_k + mu_k mu_k^T) - mean mean^T. */
    public double[][] covariance() {
        double[] mean = mean();
        double[][] c = new double[dim()][dim()];
        for (int k = 0; k < weights.length; k++) {
            for (int i = 0; i < dim(); i++) {
                for (int j = 0; j < dim(); j++) {
                    c[i][j] += weights[k] * (covariances[k][i][j] + means[k][i] * means[k][j]);
                }
            }
        }
        for (int i = 0; i < dim(); i++) {
            for (int j = 0; j < dim(); j++) {
                c[i][j] -= mean[i] * mean[j];
            }
        }
        return c;
    }

    /** n exact draws (n, dim) in float32: k ~ Categorical(w'), x = mu_k + L_k z, from SplittableRandom(seed). */
    public NDArray sample(NDManager manager, int n, long seed) {
        Arguments.sampleCount(n, dim());
        double[][][] factors = new double[weights.length][][];
        for (int k = 0; k < weights.length; k++) {
            factors[k] = Dense.cholesky(covariances[k]);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int d = dim();
        float[] data = new float[n * d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            int k = component(random.nextDouble());
            for (int j = 0; j < d; j++) {
                z[j] = random.nextGaussian();
            }
            for (int r = 0; r < d; r++) {
                double value = means[k][r];
                for (int c = 0; c <= r; c++) {
                    value += factors[k][r][c] * z[c]; // mu_k + L_k z
                }
                data[i * d + r] = (float) value;
            }
        }
        return manager.create(data, new Shape(n, d));
    }

    /** The component k whose cumulative weight interval [w_1 + ... + w_{k-1}, w_1 + ... + w_k) holds u. */
    private int component(double u) {
        double cumulative = weights[0];
        int k = 0;
        while (k < weights.length - 1 && u >= cumulative) {
            k++;
            cumulative += weights[k];
        }
        return k;
    }

    /**
     * The errors of draws x (n, dim) against this posterior: the Euclidean distance of their mean to the posterior
     * mean, the Frobenius distance of their covariance (divisor n - 1) to the posterior covariance, and the total
     * variation 1/2 sum_k |f_k - w_k'| between the fractions f_k nearest to each component mean and the weights
     * (ModeWeights; meaningful for separated components).
     */
    public Errors errors(NDArray x) {
        Arguments.requireBatch("x", x, dim());
        Arguments.finite("x", x);
        int n = Math.toIntExact(x.getShape().get(0));
        int d = dim();
        double[] values = toDouble(x.toFloatArray());
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += values[i * d + j] / n;
            }
        }
        double[][] reference = covariance();
        double[] exactMean = mean();
        double meanError = 0;
        double covarianceError = 0;
        for (int a = 0; a < d; a++) {
            meanError += (mean[a] - exactMean[a]) * (mean[a] - exactMean[a]);
            for (int b = 0; b < d; b++) {
                double c = 0;
                for (int i = 0; i < n; i++) {
                    c += (values[i * d + a] - mean[a]) * (values[i * d + b] - mean[b]);
                }
                c /= n - 1;
                covarianceError += (c - reference[a][b]) * (c - reference[a][b]);
            }
        }
        return new Errors(Math.sqrt(meanError), Math.sqrt(covarianceError), ModeWeights.error(x, means(), weights()));
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** A sample's errors against the posterior: mean (Euclidean), covariance (Frobenius), mode weights (total variation). */
    public record Errors(double mean, double covariance, double modeWeights) {
    }
}
