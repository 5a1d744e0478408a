package diffusion.metrics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

/**
 * The lecture's FID (an erratum, kept to be measured): file 002, section 一.1 writes
 * d^2 = ||mu - mu_w||^2 + tr(Sigma + Sigma_w - 2 (Sigma Sigma_w)^{-1}), an inverse where the square root belongs
 * ({@link FrechetDistance}: tr(Sigma + Sigma_w - 2 (Sigma^{1/2} Sigma_w Sigma^{1/2})^{1/2})). It is not zero for
 * two identical Gaussians unless every eigenvalue lambda of Sigma solves 2 lambda = 2 / lambda^2 (lambda = 1), and it
 * is negative for small covariances: for Sigma = Sigma_w = s I_d it is 2 d (s - 1 / s^2).
 */
public final class LectureFrechetDistance {

    private LectureFrechetDistance() {
    }

    /** The lecture's ||mu - mu_w||^2 + tr(Sigma + Sigma_w - 2 (Sigma Sigma_w)^{-1}); both covariances must be invertible. */
    public static double of(FrechetDistance.Gaussian a, FrechetDistance.Gaussian w) {
        if (a.dim() != w.dim()) {
            throw new IllegalArgumentException("the Gaussians have dimensions " + a.dim() + " and " + w.dim() + ": they must match");
        }
        RealVector difference = new ArrayRealVector(a.mu()).subtract(new ArrayRealVector(w.mu()));
        RealMatrix sigma = new Array2DRowRealMatrix(a.sigma(), true);
        RealMatrix sigmaW = new Array2DRowRealMatrix(w.sigma(), true);
        LUDecomposition product = new LUDecomposition(sigma.multiply(sigmaW));
        if (!product.getSolver().isNonSingular()) {
            throw new IllegalArgumentException("Sigma Sigma_w is singular: the lecture's formula needs its inverse");
        }
        RealMatrix inverse = product.getSolver().getInverse(); // (Sigma Sigma_w)^{-1}
        return difference.dotProduct(difference) + sigma.getTrace() + sigmaW.getTrace() - 2 * inverse.getTrace();
    }
}
