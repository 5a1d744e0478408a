package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.Scalar;

/**
 * The last reverse step p_theta(x_0 | x_1) = N(mu, diag sigma^2) as a likelihood of the data: the L_0 term of the
 * bound, L_0 = -log p_theta(x_0 | x_1), per row and summed over dimensions (nats).
 */
public enum Decoder {
    /** Continuous data: the Gaussian density, -log N(x_0; mu, sigma^2) = 1/2 sum_j [log 2 pi + log sigma_j^2 + (x_0j - mu_j)^2 / sigma_j^2]. */
    GAUSSIAN {
        @Override
        NDArray negativeLogLikelihood(NDArray x0, NDArray mean, NDArray logVariance) {
            NDArray mahalanobis = x0.sub(mean).square().mul(logVariance.neg().exp()); // (x_0 - mu)^2 / sigma^2
            return Scalar.times(mahalanobis.add(logVariance).add(LOG_2PI), 0.5).sum(new int[] {-1});
        }
    },
    /**
     * Data quantised to 256 levels in [-1, 1] (x = -1 + 2k/255): the Gaussian mass of the level's bin
     * [x - 1/255, x + 1/255], with the outer bins extended to -infinity and +infinity (Ho et al.),
     * -sum_j log(Phi((x_j + 1/255 - mu_j)/sigma_j) - Phi((x_j - 1/255 - mu_j)/sigma_j)); each bin mass is floored at
     * 1e-12 before the log.
     */
    DISCRETISED_256 {
        @Override
        NDArray negativeLogLikelihood(NDArray x0, NDArray mean, NDArray logVariance) {
            double min = x0.min().toType(DataType.FLOAT64, false).getDouble();
            double max = x0.max().toType(DataType.FLOAT64, false).getDouble();
            if (!(min >= -1 && max <= 1)) {
                throw new IllegalArgumentException("x0 ranges over [" + min + ", " + max + "]: the discretised decoder needs data in [-1, 1]");
            }
            NDArray inverseSigma = Scalar.times(logVariance, -0.5).exp();
            NDArray upper = normalCdf(x0.add(HALF_BIN).sub(mean).mul(inverseSigma)); // Phi((x + 1/255 - mu) / sigma)
            NDArray lower = normalCdf(x0.sub(HALF_BIN).sub(mean).mul(inverseSigma)); // Phi((x - 1/255 - mu) / sigma)
            upper = NDArrays.where(x0.gt(1 - EDGE), upper.onesLike(), upper); // last bin reaches +infinity
            lower = NDArrays.where(x0.lt(-1 + EDGE), lower.zerosLike(), lower); // first bin reaches -infinity
            return upper.sub(lower).maximum(MIN_MASS).log().neg().sum(new int[] {-1});
        }
    };

    /** Half the width of a quantisation bin of 256 levels on [-1, 1]: 1/255. */
    public static final double HALF_BIN = 1.0 / 255;

    /** Floor on a bin's mass before the log. */
    public static final double MIN_MASS = 1e-12;

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** Values within this distance of -1 or 1 are in an outer bin (half a bin). */
    private static final double EDGE = HALF_BIN;

    abstract NDArray negativeLogLikelihood(NDArray x0, NDArray mean, NDArray logVariance);

    /** L_0 = -log p_theta(x_0 | x_1) per row (n,), for x_0 and mean of shape (n, d) and a broadcastable log-variance. */
    public NDArray nll(NDArray x0, NDArray mean, NDArray logVariance) {
        Arguments.requireSame("x0", x0, "mean", mean);
        return negativeLogLikelihood(x0, mean, logVariance);
    }

    /** Phi(z) = (1 + erf(z / sqrt 2)) / 2. */
    static NDArray normalCdf(NDArray z) {
        return Scalar.times(Scalar.over(z, Math.sqrt(2)).erf().add(1), 0.5);
    }
}
