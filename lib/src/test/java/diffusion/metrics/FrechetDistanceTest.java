package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.metrics.FrechetDistance.Gaussian;
import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest extends ManagedTest {

    /** Relative tolerance of a closed form evaluated in double precision on matrices of condition number below 100. */
    private static final double EXACT = 1e-12;

    private static final double[][] S1 = {{2, 0.5}, {0.5, 1}};
    private static final double[][] S2 = {{1, -0.7}, {-0.7, 3}};

    /**
     * Commuting covariances: with S1 = R diag(l1) R^T and S2 = R diag(l2) R^T in one (rotated) eigenbasis,
     * d^2 = ||mu1 - mu2||^2 + sum_i (sqrt(l1_i) - sqrt(l2_i))^2; checked for diagonal and rotated pairs.
     */
    @Test
    void commutingCovariancesGiveTheSumOfSquaredRootDifferences() {
        double[] mu1 = {1, 2, -1};
        double[] mu2 = {0, 0.5, 1};
        double[] l1 = {1, 4, 0.25};
        double[] l2 = {9, 1, 2};
        double exact = 1 + 2.25 + 4;
        for (int i = 0; i < 3; i++) {
            exact += Math.pow(Math.sqrt(l1[i]) - Math.sqrt(l2[i]), 2);
        }
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        RealMatrix rotation = new Array2DRowRealMatrix(new double[][] {{c, -s, 0}, {s * c, c * c, -s}, {s * s, s * c, c}});
        RealMatrix identity = new Array2DRowRealMatrix(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        for (RealMatrix r : new RealMatrix[] {identity, rotation}) {
            double d2 = FrechetDistance.of(new Gaussian(mu1, rotated(r, l1)), new Gaussian(mu2, rotated(r, l2)));
            assertEquals(exact, d2, EXACT * exact, "rotation " + r);
        }
    }

    /**
     * Non-commuting 2x2 covariances (S1 S2 != S2 S1): for a 2x2 PSD M with eigenvalues a, b,
     * (sqrt a + sqrt b)^2 = tr M + 2 sqrt(det M); with M = S1^{1/2} S2 S1^{1/2}, tr M = tr(S1 S2) and
     * det M = det S1 det S2, so tr M^{1/2} = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)), computed from the entries alone.
     * A singular S1 (rank 1) is covered too, to a looser 1e-7: M's zero eigenvalue comes out as a rounding error of
     * about 1e-16 and enters as its square root, about 1e-8 (sqrt of machine precision, as for any matrix square root).
     */
    @Test
    void nonCommutingTwoByTwoCovariancesMatchTheClosedForm() {
        RealMatrix a = new Array2DRowRealMatrix(S1);
        RealMatrix b = new Array2DRowRealMatrix(S2);
        assertTrue(a.multiply(b).subtract(b.multiply(a)).getNorm() > 0.2, "the pair does not commute"); // its norm is 0.3
        double[] mu1 = {0.3, -1};
        double[] mu2 = {1, 0.5};
        double[][] singular = {{1, 1}, {1, 1}};
        for (double[][] first : new double[][][] {S1, singular}) {
            double exact = (0.7 * 0.7 + 1.5 * 1.5) + trace(first) + trace(S2)
                    - 2 * Math.sqrt(traceOfProduct(first, S2) + 2 * Math.sqrt(det(first) * det(S2)));
            double d2 = FrechetDistance.of(new Gaussian(mu1, first), new Gaussian(mu2, S2));
            assertEquals(exact, d2, (first == singular ? 1e-7 : EXACT) * exact, "S1 = " + Arrays.deepToString(first));
        }
    }

    /**
     * The symmetric form has the trace of pytorch-fid's sqrtm(S1 S2): the eigenvalues of the non-symmetric S1 S2
     * (real and positive, as S1 S2 is similar to S1^{1/2} S2 S1^{1/2}) give sum sqrt(lambda_i) for random 4x4
     * covariances, to double precision.
     */
    @Test
    void theSymmetricFormHasTheTraceOfTheSquareRootOfTheProduct() {
        Random random = new Random(7);
        for (int trial = 0; trial < 5; trial++) {
            RealMatrix s1 = randomCovariance(random, 4);
            RealMatrix s2 = randomCovariance(random, 4);
            EigenDecomposition product = new EigenDecomposition(s1.multiply(s2));
            double sqrtmTrace = 0;
            for (int i = 0; i < 4; i++) {
                assertEquals(0, product.getImagEigenvalue(i), 1e-12 * product.getRealEigenvalue(i));
                sqrtmTrace += Math.sqrt(product.getRealEigenvalue(i));
            }
            assertEquals(sqrtmTrace, FrechetDistance.traceSqrtProduct(s1, s2), 1e-10 * sqrtmTrace);
        }
    }

    /** d(a, a) = 0 and d(a, b) = d(b, a) for a non-commuting pair, to double-precision rounding of the traces. */
    @Test
    void isZeroForOneGaussianAndSymmetric() {
        Gaussian a = new Gaussian(new double[] {1, 2}, S1);
        Gaussian b = new Gaussian(new double[] {0, -1}, S2);
        assertEquals(0, FrechetDistance.of(a, a), EXACT * trace(S1));
        assertEquals(FrechetDistance.of(a, b), FrechetDistance.of(b, a), EXACT * FrechetDistance.of(a, b));
    }

    /**
     * The sample estimate from n = 20000 draws of each of two non-commuting Gaussians converges to the population
     * value: over 10 independent pairs its mean lies within 4 standard errors of the closed form. The estimator's
     * positive bias (7 / n from the means' sampling variance tr(S1) / n + tr(S2) / n plus an O(d^2 / n) covariance
     * term, about 5e-4 here) is far below the tolerance; the check has power (SE below 2% of the value).
     */
    @Test
    void theSampleEstimateConvergesToThePopulationValue() {
        double[] mu1 = {0.3, -1};
        double[] mu2 = {1, 0.5};
        double population = FrechetDistance.of(new Gaussian(mu1, S1), new Gaussian(mu2, S2));
        double[] estimates = new double[10];
        for (int r = 0; r < estimates.length; r++) {
            estimates[r] = between(mu1, S1, mu2, S2, 20_000, 2 * r);
        }
        MonteCarlo.Estimate estimate = MonteCarlo.estimate(estimates);
        assertEquals(population, estimate.mean(), 4 * estimate.standardError(), "population " + population + ", " + estimate);
        assertTrue(estimate.standardError() < 0.02 * population, "the check has power: " + estimate);
    }

    /** Fitting a Gaussian leaves no array behind in the features' manager. */
    @Test
    void fittingLeavesNoArrayBehind() {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray x = scratch.randomNormal(new Shape(50, 3));
            FrechetDistance.Gaussian.fit(x);
            assertEquals(1, scratch.getManagedArrays().size(), scratch.getManagedArrays().toString());
        }
    }

    /**
     * The bias for two samples of one Gaussian N(0, S) with eigenvalues lambda: to leading order
     * E d^2 = 2 tr(S) / n + (tr S + sum_{i != j} lambda_i lambda_j / (lambda_i + lambda_j)) / (n - 1)
     * (the means' variance plus the Bures metric (1/2) sum_ij dS_ij^2 / (lambda_i + lambda_j) on the Wishart
     * fluctuations Var dS_ij = (lambda_i lambda_j + delta_ij lambda_i^2) / (n - 1) of each covariance). For S = I_3 and
     * S = diag(1, 4, 1/4) at n = 1000 the mean of 200 replicates lies within 4 standard errors of it (the O(n^-2)
     * remainder, about (d^2 / n)^2 ~ 1e-4 of the value, is far below the standard error of 3%), and 10 standard errors
     * above 0: the bias is visible.
     */
    @Test
    void theBiasForOneLawMatchesItsLeadingOrder() {
        int n = 1000;
        for (double[] lambda : new double[][] {{1, 1, 1}, {1, 4, 0.25}}) {
            double bias = 0;
            for (int i = 0; i < 3; i++) {
                bias += 2 * lambda[i] / n + lambda[i] / (n - 1);
                for (int j = 0; j < 3; j++) {
                    bias += i == j ? 0 : lambda[i] * lambda[j] / (lambda[i] + lambda[j]) / (n - 1);
                }
            }
            double[] mu = {0, 0, 0};
            double[][] sigma = rotated(new Array2DRowRealMatrix(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), lambda);
            double[] estimates = new double[200];
            for (int r = 0; r < estimates.length; r++) {
                estimates[r] = between(mu, sigma, mu, sigma, n, 100 + 2 * r);
            }
            MonteCarlo.Estimate estimate = MonteCarlo.estimate(estimates);
            assertEquals(bias, estimate.mean(), 4 * estimate.standardError(), "leading-order bias " + bias + ", " + estimate);
            assertTrue(estimate.mean() > 10 * estimate.standardError(), "the positive bias is visible: " + estimate);
        }
    }

    /**
     * The lecture's trace term tr(Sigma + Sigma_w - 2 (Sigma Sigma_w)^{-1}) on two identical Gaussians: for
     * Sigma = s I_2 it is 4 (s - 1 / s^2): 7 for s = 2, -14 for s = 1/2 (a negative squared distance), 0 only at
     * s = 1; for the non-isotropic S1 it is 2 tr S1 - 2 tr(S1^{-2}) with S1^{-1} written out by hand. The right
     * distance is 0 in every case.
     */
    @Test
    void theLecturesInverseInsteadOfTheSquareRootIsNotZeroForIdenticalGaussians() {
        double[] mu = {1, -1};
        for (double s : new double[] {2, 0.5, 1}) {
            Gaussian g = new Gaussian(mu, new double[][] {{s, 0}, {0, s}});
            assertEquals(4 * (s - 1 / (s * s)), LectureFrechetDistance.of(g, g), EXACT * 14, "s = " + s);
            assertEquals(0, FrechetDistance.of(g, g), EXACT * s, "s = " + s);
        }
        double det = det(S1);
        double[][] inverse = {{S1[1][1] / det, -S1[0][1] / det}, {-S1[1][0] / det, S1[0][0] / det}};
        double lecture = 2 * trace(S1) - 2 * traceOfProduct(inverse, inverse);
        Gaussian g = new Gaussian(mu, S1);
        assertEquals(lecture, LectureFrechetDistance.of(g, g), EXACT * Math.abs(lecture));
        assertNotEquals(0, lecture, 1.0);
    }

    /** Bad input is refused before any work with a message naming what is wrong. */
    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Gaussian(new double[] {0, 0}, new double[][] {{1, 0.5}, {0.4, 1}}));
        IllegalArgumentException notPsd = assertThrows(IllegalArgumentException.class,
                () -> new Gaussian(new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}}));
        assertTrue(notPsd.getMessage().contains("positive semi-definite"), notPsd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Gaussian(new double[] {0}, new double[][] {{1, 0}}));
        assertThrows(IllegalArgumentException.class, () -> new Gaussian(new double[] {Double.NaN}, new double[][] {{1}}));
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.of(
                new Gaussian(new double[] {0}, new double[][] {{1}}), new Gaussian(new double[] {0, 0}, S1)));
        assertTrue(dims.getMessage().contains("dimensions 1 and 2"), dims.getMessage());
        try (NDManager scratch = manager.newSubManager()) {
            NDArray x = scratch.randomNormal(new Shape(10, 3));
            assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(x, scratch.randomNormal(new Shape(10, 2))));
            assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(x, scratch.randomNormal(new Shape(1, 3))));
            NDArray bad = x.duplicate();
            bad.set(new NDIndex("0, 0"), Float.NaN);
            assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(x, bad));
        }
    }

    /** The estimate d^2 between n draws of N(mu1, sigma1) (seed) and n of N(mu2, sigma2) (seed + 1), freed afterwards. */
    private static double between(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2, int n, long seed) {
        try (NDManager pair = manager.newSubManager()) {
            return FrechetDistance.between(draw(pair, mu1, sigma1, n, seed), draw(pair, mu2, sigma2, n, seed + 1));
        }
    }

    /** n draws of N(mu, sigma) as float32 (n, d): mu + L z with L the Cholesky factor of sigma, z from Random(seed). */
    private static NDArray draw(NDManager target, double[] mu, double[][] sigma, int n, long seed) {
        int d = mu.length;
        RealMatrix l = new CholeskyDecomposition(new Array2DRowRealMatrix(sigma), 1e-12, 0).getL();
        Random random = new Random(seed);
        float[] x = new float[n * d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[j] = random.nextGaussian();
            }
            double[] lz = l.operate(z);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (mu[j] + lz[j]);
            }
        }
        return target.create(x, new Shape(n, d));
    }

    /** R diag(lambda) R^T. */
    private static double[][] rotated(RealMatrix r, double[] lambda) {
        RealMatrix diagonal = new Array2DRowRealMatrix(lambda.length, lambda.length);
        for (int i = 0; i < lambda.length; i++) {
            diagonal.setEntry(i, i, lambda[i]);
        }
        return r.multiply(diagonal).multiply(r.transpose()).getData();
    }

    /** A A^T + I for A with standard normal entries: a well-conditioned random covariance. */
    private static RealMatrix randomCovariance(Random random, int d) {
        RealMatrix a = new Array2DRowRealMatrix(d, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a.setEntry(i, j, random.nextGaussian());
            }
        }
        RealMatrix covariance = a.multiply(a.transpose());
        for (int i = 0; i < d; i++) {
            covariance.addToEntry(i, i, 1);
        }
        return covariance;
    }

    private static double trace(double[][] a) {
        return a[0][0] + a[1][1];
    }

    private static double det(double[][] a) {
        return a[0][0] * a[1][1] - a[0][1] * a[1][0];
    }

    /** tr(A B) for 2x2 matrices. */
    private static double traceOfProduct(double[][] a, double[][] b) {
        return a[0][0] * b[0][0] + a[0][1] * b[1][0] + a[1][0] * b[0][1] + a[1][1] * b[1][1];
    }
}
