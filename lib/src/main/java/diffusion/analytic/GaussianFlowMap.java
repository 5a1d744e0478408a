package diffusion.analytic;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.data.GaussianMixture;
import diffusion.schedule.PerturbationKernel;

/**
 * The exact probability-flow map of Gaussian data x_0 ~ N(mu, diag v) on any kernel x_t = m(t) x_0 + s(t) eps. In
 * y = x / m and sigma = s / m the flow is dy/dsigma = (y - E[x_0 | y]) / sigma = sigma (y - mu) / (v + sigma^2) per
 * coordinate, so y - mu = z sqrt(v + sigma^2) with z fixed along the flow, and from t to s:
 * x(s) = m(s) (mu + (x(t) / m(t) - mu) sqrt((v + sigma(s)^2) / (v + sigma(t)^2))). The reference against which a
 * deterministic solver's error, and its order, is measured exactly.
 */
public final class GaussianFlowMap {

    private final double[] mu;
    private final double[] v;
    private final PerturbationKernel kernel;

    /** The map of the one-component mixture gaussian (GaussianMixture.gaussian) under kernel. */
    public GaussianFlowMap(GaussianMixture gaussian, PerturbationKernel kernel) {
        Arguments.allNonNull("gaussian, kernel", gaussian, kernel);
        if (gaussian.components() != 1) {
            throw new IllegalArgumentException("gaussian has " + gaussian.components() + " components: the closed-form flow map needs one");
        }
        this.mu = gaussian.means()[0];
        this.v = gaussian.variances()[0];
        this.kernel = kernel;
    }

    /** x(s) from x(t) = x (n, d) along the flow, in x's data type and manager; t, s in the kernel's range with m &gt; 0. */
    public NDArray map(NDArray x, double t, double s) {
        Arguments.requireBatch("x", x, mu.length);
        double mt = kernel.meanScale(kernel.requireTime("t", t));
        double ms = kernel.meanScale(kernel.requireTime("s", s));
        if (!(mt > 0 && ms > 0)) {
            throw new IllegalArgumentException("m(t) = " + mt + ", m(s) = " + ms + ": the map needs m > 0 at both times");
        }
        double sigmaT = kernel.sigma(t);
        double sigmaS = kernel.sigma(s);
        int d = mu.length;
        double[][] scale = new double[1][d];
        double[][] shift = new double[1][d];
        for (int j = 0; j < d; j++) {
            double ratio = Math.sqrt((v[j] + sigmaS * sigmaS) / (v[j] + sigmaT * sigmaT)); // sqrt((v + sigma_s^2) / (v + sigma_t^2))
            scale[0][j] = ms / mt * ratio;
            shift[0][j] = ms * mu[j] * (1 - ratio);
        }
        // x(s) = (m_s / m_t) ratio x(t) + m_s mu (1 - ratio)
        NDArray a = x.getManager().create(scale).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
        NDArray b = x.getManager().create(shift).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
        return x.mul(a).add(b);
    }
}
