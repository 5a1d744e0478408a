package diffusion.latent;

import diffusion.Arguments;
import diffusion.analytic.Dense;

/**
 * A multivariate normal N(mean, covariance) in double precision, with a full symmetric positive definite covariance:
 * its log density, its KL divergence to another Gaussian, and the reparameterised draw mean + L eps (L L^T = covariance).
 */
public final class Gaussian {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[] mean;
    private final double[][] covariance;
    private final double[][] cholesky;

    /** N(mean, covariance): mean of length k >= 1, covariance k x k symmetric positive definite (refused otherwise). */
    public Gaussian(double[] mean, double[][] covariance) {
        Arguments.allNonNull("mean, covariance", mean, covariance);
        Arguments.bounded("mean", mean, Arguments.MAX_POINT_ENTRY);
        Arguments.atLeast("mean.length", mean.length, 1);
        Arguments.nonNull("covariance", covariance);
        if (covariance.length != mean.length) {
            throw new IllegalArgumentException("covariance has " + covariance.length + " rows: must be " + mean.length + " x " + mean.length);
        }
        for (int i = 0; i < covariance.length; i++) {
            Arguments.finite("covariance[" + i + "]", covariance[i]);
            if (covariance[i].length != mean.length) {
                throw new IllegalArgumentException("covariance row " + i + " has " + covariance[i].length + " entries: must be " + mean.length);
            }
            Arguments.positive("covariance[" + i + "][" + i + "]", covariance[i][i]); // the diagonal of a positive definite matrix
            for (int j = 0; j < i; j++) {
                if (covariance[i][j] != covariance[j][i]) {
                    throw new IllegalArgumentException("covariance[" + i + "][" + j + "] = " + covariance[i][j] + " but covariance[" + j
                            + "][" + i + "] = " + covariance[j][i] + ": must be symmetric");
                }
            }
        }
        this.mean = mean.clone();
        this.covariance = copy(covariance);
        this.cholesky = Dense.cholesky(this.covariance);
    }

    /** N(mean, diag variance), each variance > 0. */
    public static Gaussian diagonal(double[] mean, double[] variance) {
        Arguments.nonNull("variance", variance);
        double[][] covariance = new double[variance.length][variance.length];
        for (int i = 0; i < variance.length; i++) {
            covariance[i][i] = Arguments.positive("variance[" + i + "]", variance[i]);
        }
        return new Gaussian(mean, covariance);
    }

    /** N(0, I_k), k >= 1. */
    public static Gaussian standard(int k) {
        Arguments.atLeast("k", k, 1);
        Arguments.derivedSize("k", k, "covariance entries (k^2)", (long) k * k, Arguments.MAX_ENTRIES);
        double[] ones = new double[k];
        java.util.Arrays.fill(ones, 1);
        return diagonal(new double[k], ones);
    }

    /** The dimension k. */
    public int dim() {
        return mean.length;
    }

    /** The mean (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The covariance (a copy). */
    public double[][] covariance() {
        return copy(covariance);
    }

    /** log N(x; mu, S) = -1/2 [k log 2 pi + log det S + (x - mu)^T S^{-1} (x - mu)]. */
    public double logDensity(double[] x) {
        requireLength("x", x);
        double[] r = new double[dim()];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] - mean[i];
        }
        return -0.5 * (dim() * LOG_2PI + Dense.logDeterminant(cholesky) + dot(r, Dense.solve(cholesky, r)));
    }

    /**
     * KL(this || other) = 1/2 [tr(S_2^{-1} S_1) + (mu_2 - mu_1)^T S_2^{-1} (mu_2 - mu_1) - k + log det S_2 - log det S_1].
     */
    public double kl(Gaussian other) {
        if (other.dim() != dim()) {
            throw new IllegalArgumentException("other has dimension " + other.dim() + ": must be " + dim());
        }
        double trace = 0;
        for (int j = 0; j < dim(); j++) {
            double[] column = new double[dim()];
            for (int i = 0; i < dim(); i++) {
                column[i] = covariance[i][j];
            }
            trace += Dense.solve(other.cholesky, column)[j]; // (S_2^{-1} S_1)_jj
        }
        double[] r = new double[dim()];
        for (int i = 0; i < r.length; i++) {
            r[i] = other.mean[i] - mean[i];
        }
        return 0.5 * (trace + dot(r, Dense.solve(other.cholesky, r)) - dim() + Dense.logDeterminant(other.cholesky)
                - Dense.logDeterminant(cholesky));
    }

    /** The reparameterised draw z = mu + L eps for a standard normal eps of length k (L L^T = S, lower triangular). */
    public double[] draw(double[] eps) {
        requireLength("eps", eps);
        double[] z = Dense.multiply(cholesky, eps);
        for (int i = 0; i < z.length; i++) {
            z[i] += mean[i];
        }
        return z;
    }

    private void requireLength(String parameter, double[] x) {
        if (Arguments.finite(parameter, x).length != dim()) {
            throw new IllegalArgumentException(parameter + " has length " + x.length + ": must be " + dim());
        }
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    @Override
    public String toString() {
        return "N(mean of dimension " + dim() + ", full covariance)";
    }
}
