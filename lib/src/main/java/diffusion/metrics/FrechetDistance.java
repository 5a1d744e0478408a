package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians N(mu1, S1) and N(mu2, S2), and between two feature sets
 * through the Gaussians fitted to them (Heusel et al. 2017):
 * d^2 = ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2}).
 *
 * <p>The trace term uses the symmetric form M = S1^{1/2} S2 S1^{1/2}, which is symmetric positive semi-definite, so
 * its square root comes from one symmetric eigen-decomposition: tr M^{1/2} = sum_i sqrt(lambda_i(M)). It has the same
 * trace as the sqrtm(S1 S2) of pytorch-fid: S1 S2 = S1^{1/2} M S1^{-1/2} is similar to M (for S1 singular, by
 * continuity), so both have the eigenvalues lambda_i(M) &gt;= 0 and their principal square roots the eigenvalues
 * sqrt(lambda_i(M)). Unlike sqrtm of the non-symmetric S1 S2, it yields no complex parts and needs no added eps.
 * All arithmetic is in double precision.
 *
 * <p>Fitted moments are the sample mean and the unbiased sample covariance (divisor n - 1, numpy.cov's default, as in
 * pytorch-fid). The plug-in estimate is biased upwards at finite n: for two independent n-point samples of one
 * Gaussian N(mu, S) with eigenvalues lambda_i, E d^2 = 2 tr(S) / n + (tr S + sum_{i != j} lambda_i lambda_j /
 * (lambda_i + lambda_j)) / (n - 1) + O(n^-2), which is 2d / n + d (d + 1) / (2 (n - 1)) for S = I; compare a model's
 * value with the data-versus-data baseline at the same n ({@link FrechetBaseline}), not with 0.
 *
 * <p>On the features of the workbench's small classifier this is {@value #LABEL}, not the Inception-v3 FID of the
 * papers ({@link #NOTE}).
 */
public final class FrechetDistance {

    /** The column label of the distance in tables. */
    public static final String LABEL = "FD (classifier features)";

    /** The note every table of these distances carries. */
    public static final String NOTE = LABEL + ": Frechet distance between Gaussians fitted to the penultimate-layer"
            + " features of a small classifier trained in the workbench; not the Inception-v3 FID of the papers, and not"
            + " comparable with published FID values";

    /** Relative tolerance of the symmetry and positive semi-definiteness checks on a covariance (double rounding). */
    private static final double TOLERANCE = 1e-9;

    private FrechetDistance() {
    }

    /** The largest |mu_i|: ||mu1 - mu2||^2 sums squares up to 4e200, finite in a double for any d an array can hold. */
    public static final double MAX_MEAN = 1e100;

    /** The largest variance sigma_ii: at 1e90 the eigen-decomposition of S1^{1/2} S2 S1^{1/2} (entries ~ sigma^2) fails. */
    public static final double MAX_VARIANCE = 1e60;

    /** The largest |feature| fitted: a sample variance is at most twice the largest squared entry, 2e58 &lt; MAX_VARIANCE. */
    public static final double MAX_FEATURE = 1e29;

    /** A Gaussian N(mu, sigma) on R^d: mean mu (d) and symmetric positive semi-definite covariance sigma (d x d). */
    public record Gaussian(double[] mu, double[][] sigma) {

        /**
         * Checks that sigma is d x d, |mu_i| &lt;= MAX_MEAN, 0 &lt;= sigma_ii &lt;= MAX_VARIANCE, sigma is finite, symmetric and
         * positive semi-definite (to rounding).
         */
        public Gaussian {
            Arguments.nonNull("mu", mu);
            Arguments.nonNull("sigma", sigma);
            if (mu.length < 1 || sigma.length != mu.length) {
                throw new IllegalArgumentException("mu has length " + mu.length + " and sigma " + sigma.length
                        + " rows: need d >= 1 and a d x d sigma");
            }
            double scale = 0;
            for (int i = 0; i < mu.length; i++) {
                if (sigma[i].length != mu.length) {
                    throw new IllegalArgumentException("sigma row " + i + " has length " + sigma[i].length + ": expected d = " + mu.length);
                }
                Arguments.within("mu[" + i + "]", mu[i], -MAX_MEAN, MAX_MEAN);
                Arguments.within("sigma[" + i + "][" + i + "]", sigma[i][i], 0, MAX_VARIANCE);
                for (int j = 0; j < mu.length; j++) {
                    Arguments.finite("sigma[" + i + "][" + j + "]", sigma[i][j]);
                    scale = Math.max(scale, Math.abs(sigma[i][j]));
                }
            }
            for (int i = 0; i < mu.length; i++) {
                for (int j = 0; j < i; j++) {
                    if (Math.abs(sigma[i][j] - sigma[j][i]) > TOLERANCE * scale) {
                        throw new IllegalArgumentException("sigma[" + i + "][" + j + "] = " + sigma[i][j] + " but sigma[" + j
                                + "][" + i + "] = " + sigma[j][i] + ": a covariance must be symmetric");
                    }
                }
            }
            double smallest = Double.POSITIVE_INFINITY;
            for (double lambda : new EigenDecomposition(symmetric(sigma)).getRealEigenvalues()) {
                smallest = Math.min(smallest, lambda);
            }
            if (smallest < -TOLERANCE * scale * mu.length) {
                throw new IllegalArgumentException("sigma has eigenvalue " + smallest + ": a covariance must be positive semi-definite");
            }
        }

        /**
         * The Gaussian fitted to features (n, d), n &gt;= 2: the sample mean and the unbiased covariance (divisor n - 1).
         * Entries beyond +-MAX_FEATURE are refused.
         */
        public static Gaussian fit(NDArray features) {
            return fit("features", features);
        }

        /** fit(features), naming the caller's argument parameter in a refusal. */
        private static Gaussian fit(String parameter, NDArray features) {
            Arguments.bounded(parameter, features, MAX_FEATURE);
            Samples.checkPair(features, features, 2);
            int n = Math.toIntExact(features.getShape().get(0));
            int d = Math.toIntExact(features.getShape().get(1));
            try (NDManager scratch = features.getManager().newSubManager(features.getDevice())) {
                NDArray x = features.toType(DataType.FLOAT64, true);
                x.attach(scratch);
                NDArray mu = x.mean(new int[] {0});
                NDArray centred = x.sub(mu);
                NDArray sigma = centred.transpose().matMul(centred).div(n - 1); // sum_i (x_i - mu)(x_i - mu)^T / (n - 1)
                double[] flat = sigma.toDoubleArray();
                double[][] rows = new double[d][d];
                for (int i = 0; i < d; i++) {
                    System.arraycopy(flat, i * d, rows[i], 0, d);
                }
                return new Gaussian(mu.toDoubleArray(), symmetric(rows).getData());
            }
        }

        /** d, the dimension. */
        public int dim() {
            return mu.length;
        }
    }

    /** d^2 between the Gaussians fitted to features x (n, d) and y (m, d), n, m &gt;= 2. */
    public static double between(NDArray x, NDArray y) {
        Samples.checkPair(x, y, 2);
        return of(Gaussian.fit("x", x), Gaussian.fit("y", y));
    }

    /** d^2 = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr (S1^{1/2} S2 S1^{1/2})^{1/2}, for Gaussians of one dimension. */
    public static double of(Gaussian a, Gaussian b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException("the Gaussians have dimensions " + a.dim() + " and " + b.dim() + ": they must match");
        }
        RealVector difference = new ArrayRealVector(a.mu()).subtract(new ArrayRealVector(b.mu()));
        RealMatrix s1 = symmetric(a.sigma());
        RealMatrix s2 = symmetric(b.sigma());
        return difference.dotProduct(difference) + s1.getTrace() + s2.getTrace() - 2 * traceSqrtProduct(s1, s2); // ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr M^{1/2}
    }

    /** tr (S1^{1/2} S2 S1^{1/2})^{1/2} = sum_i sqrt(lambda_i(M)), which equals tr sqrtm(S1 S2) (see the class comment). */
    static double traceSqrtProduct(RealMatrix s1, RealMatrix s2) {
        RealMatrix root = sqrt(s1);
        RealMatrix m = root.multiply(s2).multiply(root); // M = S1^{1/2} S2 S1^{1/2}
        double trace = 0;
        for (double lambda : new EigenDecomposition(symmetrised(m)).getRealEigenvalues()) {
            trace += Math.sqrt(Math.max(lambda, 0)); // an eigenvalue of the PSD M may round to -1e-17
        }
        return trace;
    }

    /** The symmetric PSD square root V diag(sqrt(max(lambda, 0))) V^T of a symmetric PSD matrix. */
    private static RealMatrix sqrt(RealMatrix s) {
        EigenDecomposition eigen = new EigenDecomposition(s);
        double[] lambda = eigen.getRealEigenvalues();
        RealMatrix v = eigen.getV();
        RealMatrix scaled = v.copy();
        for (int j = 0; j < lambda.length; j++) {
            scaled.setColumnVector(j, v.getColumnVector(j).mapMultiply(Math.sqrt(Math.max(lambda[j], 0))));
        }
        return scaled.multiply(v.transpose());
    }

    /** (A + A^T) / 2 as a matrix: removes the rounding asymmetry of a product that is symmetric in exact arithmetic. */
    private static RealMatrix symmetrised(RealMatrix a) {
        return a.add(a.transpose()).scalarMultiply(0.5);
    }

    /** sigma as a matrix, symmetrised (a covariance accumulated in floating point is symmetric only to rounding). */
    private static RealMatrix symmetric(double[][] sigma) {
        return symmetrised(new Array2DRowRealMatrix(sigma, true));
    }
}
