package diffusion.process;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.schedule.PerturbationKernel;

/**
 * Song et al.'s non-Markovian forward process q_lambda on any perturbation kernel, between two times s &lt; t:
 * q_lambda(x_s | x_t, x_0) = N(m_s x_0 + sqrt(s_s^2 - lambda^2) (x_t - m_t x_0) / s_t, lambda^2 I) with
 * lambda^2 = eta^2 betaTilde(t, s). It keeps the marginals q(x_s | x_0) = N(m_s x_0, s_s^2 I) for every eta; eta = 1 is
 * the posterior of the Markov chain x_t = (m_t / m_s) x_s + sqrt(b^2) z, b^2 = s_t^2 - (m_t / m_s)^2 s_s^2 (DDPM's
 * beta_t on consecutive steps), whose variance is betaTilde(t, s) = s_s^2 b^2 / s_t^2; eta = 0 is deterministic (DDIM).
 */
public final class NonMarkovianPosterior {

    private final PerturbationKernel kernel;
    private final double eta;

    /** The process of a kernel with eta in [0, 1] (eta &lt;= 1 keeps lambda^2 &lt;= s_s^2, a valid mean coefficient). */
    public NonMarkovianPosterior(PerturbationKernel kernel, double eta) {
        this.kernel = Arguments.nonNull("kernel", kernel);
        this.eta = requireEta(eta);
    }

    /** Accepts eta in [0, 1]. */
    public static double requireEta(double eta) {
        Arguments.nonNegative("eta", eta);
        if (eta > 1) {
            throw new IllegalArgumentException("eta = " + eta + " must lie in [0, 1]: lambda^2 = eta^2 betaTilde needs "
                    + "s_s^2 - lambda^2 >= 0");
        }
        return eta;
    }

    public PerturbationKernel kernel() {
        return kernel;
    }

    public double eta() {
        return eta;
    }

    /** b^2(t, s) = s_t^2 - (m_t / m_s)^2 s_s^2, the variance of the chain's step from s to t (beta_t when s = t - 1). */
    public static double forwardVariance(PerturbationKernel kernel, double t, double s) {
        requireOrder(kernel, t, s);
        double a = kernel.meanScale(t) / kernel.meanScale(s);
        double st = kernel.std(t);
        double ss = kernel.std(s);
        return Math.max(0, st * st - a * a * ss * ss);
    }

    /** betaTilde(t, s) = s_s^2 b^2(t, s) / s_t^2, the variance of q(x_s | x_t, x_0) (betaTilde_t when s = t - 1). */
    public static double posteriorVariance(PerturbationKernel kernel, double t, double s) {
        requireOrder(kernel, t, s);
        double ss = kernel.std(s);
        double st = kernel.std(t);
        return ss * ss * forwardVariance(kernel, t, s) / (st * st);
    }

    /** lambda^2(t, s) = eta^2 betaTilde(t, s). */
    public double lambdaSquared(double t, double s) {
        return eta * eta * posteriorVariance(kernel, t, s);
    }

    /** The coefficient of the noise direction: sqrt(s_s^2 - lambda^2) for a reverse variance lambda^2. */
    public double noiseCoefficient(double t, double s) {
        double ss = kernel.std(s);
        return Math.sqrt(Math.max(0.0, ss * ss - lambdaSquared(t, s)));
    }

    /** The mean m_s x_0 + sqrt(s_s^2 - lambda^2) eps with eps = (x_t - m_t x_0) / s_t. */
    public NDArray mean(NDArray xt, NDArray x0, double t, double s) {
        Arguments.requireSame("xt", xt, "x0", x0);
        requireOrder(kernel, t, s);
        NDArray eps = Scalar.over(xt.sub(Scalar.times(x0, kernel.meanScale(t))), kernel.std(t));
        return meanOf(x0, eps, t, s);
    }

    /** The mean given both x_0 and the noise direction eps: m_s x_0 + sqrt(s_s^2 - lambda^2) eps (DDIM, eq. 12). */
    public NDArray meanOf(NDArray x0, NDArray eps, double t, double s) {
        Arguments.requireSame("x0", x0, "eps", eps);
        return Scalar.times(x0, kernel.meanScale(s)).add(Scalar.times(eps, noiseCoefficient(t, s)));
    }

    /** One draw x_s = mean(x_t, x_0, t, s) + lambda z, for a standard normal z shaped like x_t. */
    public NDArray sample(NDArray xt, NDArray x0, double t, double s, NDArray z) {
        Arguments.requireSame("xt", xt, "z", z);
        return mean(xt, x0, t, s).add(Scalar.times(z, Math.sqrt(lambdaSquared(t, s))));
    }

    /** Accepts times s &lt; t of kernel with s(t) &gt; 0 (the step divides by s(t)). */
    private static void requireOrder(PerturbationKernel kernel, double t, double s) {
        Arguments.nonNull("kernel", kernel);
        kernel.requireTime("t", t);
        kernel.requireTime("s", s);
        if (!(s < t)) {
            throw new IllegalArgumentException("s = " + s + ", t = " + t + ": a reverse step needs s < t");
        }
        if (!(kernel.std(t) > 0)) {
            throw new IllegalArgumentException("t = " + t + " gives s(t) = 0 in double precision under " + kernel
                    + ": a reverse step from t needs s(t) > 0");
        }
    }
}
