package diffusion.score;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;

/**
 * Karras et al.'s denoiser D(y; sigma) ~ E[x_0 | y] for y = x_0 + sigma n, n ~ N(0, I): the kernel-free view of a model
 * in which EDM's samplers are written (dy/dsigma = (y - D(y; sigma)) / sigma is the probability flow). Any ScoreModel is
 * one through its kernel x_t = m(t) x_0 + s(t) eps, since x_t / m(t) = x_0 + sigma(t) eps (of).
 */
@FunctionalInterface
public interface Denoiser {

    /** D(y; sigma) for a batch y (n, sampleShape...) at noise level sigma &gt; 0, in y's manager. */
    NDArray x0(NDArray y, double sigma);

    /**
     * model as a denoiser: D(y; sigma) = model.denoise(m(t) y, t) at the time t with sigma(t) = sigma, found by
     * bisection on a continuous kernel (to double precision); on a discrete kernel sigma must be sigma(t) of one of its
     * integer times (to 1e-12 relative), any other sigma is refused, as the model exists at those times only.
     */
    static Denoiser of(ScoreModel model) {
        Arguments.nonNull("model", model);
        PerturbationKernel kernel = model.kernel();
        return (y, sigma) -> {
            double t = timeOf(kernel, sigma);
            return model.denoise(Scalar.times(y, kernel.meanScale(t)), t); // E[x_0 | x_t = m(t) y]
        };
    }

    /** The kernel time t with sigma(t) = sigma &gt; 0 (an integer time on a discrete kernel, or refused). */
    static double timeOf(PerturbationKernel kernel, double sigma) {
        Arguments.positive("sigma", sigma);
        double top = kernel.sigma(kernel.tMax());
        if (sigma > top * (1 + 1e-12)) {
            throw new IllegalArgumentException("sigma = " + sigma + " exceeds sigma(tMax) = " + top + ", the largest noise level of " + kernel);
        }
        if (!kernel.discrete()) {
            return TimeGrid.timeOfSigma(kernel, sigma);
        }
        long lo = 0;
        long hi = (long) kernel.tMax();
        while (lo < hi) { // the smallest integer t with sigma(t) >= sigma (sigma(t) increases with t)
            long mid = (lo + hi) / 2;
            if (kernel.sigma(mid) < sigma * (1 - 1e-12)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (Math.abs(kernel.sigma(lo) - sigma) > 1e-12 * sigma) {
            throw new IllegalArgumentException("sigma = " + sigma + " is not sigma(t) of an integer time of the discrete kernel " + kernel
                    + " (nearest: sigma(" + lo + ") = " + kernel.sigma(lo) + "); a discrete model exists at its own times only");
        }
        return lo;
    }
}
