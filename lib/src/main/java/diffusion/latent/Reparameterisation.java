package diffusion.latent;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;

/**
 * The reparameterisation trick for a diagonal Gaussian encoder q(z | x) = N(mu, diag exp(logVariance)):
 * z = mu + exp(logVariance / 2) * eps with eps ~ N(0, I), differentiable in mu and logVariance.
 */
public final class Reparameterisation {

    /** The largest |log sigma^2|: exp(90 / 2) = 3.5e19 times an eps within MAX_POINT_ENTRY (1e18) stays within float32. */
    public static final double MAX_LOG_VARIANCE = 90;

    private Reparameterisation() {
    }

    /** z = mu + sigma * eps with sigma = exp(logVariance / 2) (the standard deviation, not the variance); shapes must agree. */
    public static NDArray sample(NDArray mean, NDArray logVariance, NDArray eps) {
        Arguments.requireSame("mean", mean, "logVariance", logVariance);
        Arguments.requireSame("mean", mean, "eps", eps);
        Arguments.bounded("mean", mean, Arguments.MAX_POINT_ENTRY);
        Arguments.bounded("logVariance", logVariance, MAX_LOG_VARIANCE);
        Arguments.bounded("eps", eps, Arguments.MAX_POINT_ENTRY);
        return mean.add(Scalar.times(logVariance, 0.5).exp().mul(eps)); // mu + exp(log sigma^2 / 2) eps
    }
}
