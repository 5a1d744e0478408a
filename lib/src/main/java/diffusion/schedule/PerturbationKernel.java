package diffusion.schedule;

/**
 * The Gaussian perturbation kernel p_{0t}(x_t | x_0) = N(x_t; m(t) x_0, s(t)^2 I) shared by every diffusion the
 * workbench knows: discrete DDPM chains (m = sqrt(alphaBar_t), s = sqrt(1 - alphaBar_t)), the NCSN noise ladder and
 * the continuous SDEs. Time runs on [0, tMax] (integers 0..T for discrete kernels), t = 0 being the data and the
 * noise growing with t. Samplers and oracles only need these two numbers per time.
 */
public interface PerturbationKernel {

    /** m(t): the mean coefficient, x_t = m(t) x_0 + s(t) eps. */
    double meanScale(double t);

    /** s(t): the standard deviation of the noise, x_t = m(t) x_0 + s(t) eps. */
    double std(double t);

    /** The largest time: T for a discrete chain or an SDE on [0, T]. */
    double tMax();

    /** True when the kernel is defined on the integers 0..tMax only (a discrete chain). */
    default boolean discrete() {
        return false;
    }

    /** The standard deviation of the Gaussian a sampler starts from at time t: s(t) (VP-type kernels override: 1). */
    default double priorStd(double t) {
        return std(t);
    }

    /** sigma(t) = s(t) / m(t), the noise level of x_t / m(t) = x_0 + sigma eps (EDM's and k-diffusion's time); m(t) &gt; 0. */
    default double sigma(double t) {
        double m = meanScale(t);
        if (!(m > 0)) {
            throw new IllegalArgumentException("t = " + t + " gives m(t) = " + m + " under " + this + ": sigma = s / m is infinite");
        }
        return std(t) / m;
    }

    /** lambda(t) = log(m(t)^2 / s(t)^2), the log signal-to-noise ratio (decreasing in t), at t where s(t) &gt; 0. */
    default double logSnr(double t) {
        double sigma = sigma(t);
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("t = " + t + " gives s(t) = 0 under " + this + ": the log-SNR is +infinity there");
        }
        return -2 * Math.log(sigma);
    }

    /** Accepts t in [0, tMax] (an integer there for discrete kernels), naming the parameter otherwise. */
    default double requireTime(String parameter, double t) {
        if (!(t >= 0 && t <= tMax())) {
            throw new IllegalArgumentException(parameter + " = " + t + " must lie in [0, " + tMax() + "] for " + this);
        }
        if (discrete() && t != Math.rint(t)) {
            throw new IllegalArgumentException(parameter + " = " + t + ": " + this + " is discrete and needs an integer time in 0.."
                    + (long) tMax());
        }
        return t;
    }
}
