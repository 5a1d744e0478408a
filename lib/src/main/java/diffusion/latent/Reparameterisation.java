package diffusion.latent;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;

/**
 * The reparameterisation trick for a diagonal Gaussian encoder q(z | x) = N(mu, diag exp(logVariance)):
 * z = mu + exp(logVariance / 2) * eps with eps ~ N(0, I), differentiable in mu and logVariance.
 */
public final class Reparameterisation {

    /** The largest |log sigma^2|: exp(160 / 2) = 5.5e34 and its reciprocal stay within float32's range. */
    public static final double MAX_LOG_VARIANCE = 160;

    private Reparameterisation() {
    }

    /** z = mu + sigma * eps with sigma = exp(logVariance / 2) (the standard deviation, not the variance); shapes must agree. */
    public static NDArray sample(NDArray mean, NDArray logVariance, NDArray eps) {
        Arguments.requireSame("mean", mean, "logVariance", logVariance);
        Arguments.requireSame("mean", mean, "eps", eps);
        Arguments.finite("mean", mean);
        Arguments.bounded("logVariance", logVariance, MAX_LOG_VARIANCE);
        Arguments.finite("eps", eps);
        return mean.add(Scalar.times(logVariance, 0.5).exp().mul(eps)); // mu + exp(log sigma^2 / 2) eps
    }
}
