package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.process.Shapes;
import diffusion.report.Environment;
import diffusion.report.Progress;
import diffusion.score.ReverseModel;
import java.util.function.ObjIntConsumer;

/**
 * Ancestral sampling through any reverse kernel: x_T ~ N(0, I), then for t = T..1
 * x_{t-1} = mu_theta(x_t, t) + sigma_t(x_t) z, z ~ N(0, I) for t > 1 and z = 0 at t = 1. With a fixed variance this
 * is Ho et al.'s Algorithm 2 (DdpmSampler); with a learned variance, Nichol and Dhariwal's sampler.
 */
public final class ReverseSampler {

    /** n samples x_0 from the model, seeded; the result lives in manager. Each step runs in its own sub-manager. */
    public NDArray sample(NDManager manager, ReverseModel model, int n, long seed) {
        return sample(manager, model, n, seed, (x, t) -> { });
    }

    /** As above, calling observer.accept(x_{t-1}, t - 1) after every step (x_{t-1} is valid only during the call). */
    public NDArray sample(NDManager manager, ReverseModel model, int n, long seed, ObjIntConsumer<NDArray> observer) {
        if (n < 1) {
            throw new IllegalArgumentException("n = " + n + ": the number of samples must be >= 1");
        }
        Environment.seed(seed);
        return sample(manager, model, manager.randomNormal(new Shape(n, model.dim())), observer); // x_T ~ N(0, I)
    }

    /**
     * The chain from a given x_T (n, d), which it takes over (attached to manager), with noise z from the engine's
     * generator as it stands; calls observer.accept(x_{t-1}, t - 1) after every step.
     */
    public NDArray sample(NDManager manager, ReverseModel model, NDArray xT, ObjIntConsumer<NDArray> observer) {
        Shapes.requireBatch("xT", xT, model.dim());
        int T = model.schedule().T();
        NDArray x = xT;
        x.attach(manager);
        try (Progress progress = new Progress("ancestral sample", T)) {
            for (int t = T; t >= 1; t--) {
                try (NDManager step = manager.newSubManager()) {
                    x.attach(step);
                    ReverseModel.Gaussian reverse = model.reverse(x, t);
                    NDArray z = step.randomNormal(x.getShape());
                    NDArray sigma = reverse.logVariance().mul(0.5).exp(); // sigma_t = exp(log sigma_t^2 / 2)
                    NDArray next = t > 1 ? reverse.mean().add(z.mul(sigma)) : reverse.mean();
                    next.attach(manager);
                    x = next;
                }
                observer.accept(x, t - 1);
                progress.update(T - t + 1, "t=" + t);
            }
        }
        return x;
    }
}
