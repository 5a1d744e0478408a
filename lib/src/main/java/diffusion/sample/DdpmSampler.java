package diffusion.sample;

import diffusion.report.Environment;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.process.Posterior;
import diffusion.report.Progress;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.function.ObjIntConsumer;

/**
 * DDPM ancestral sampling (Ho et al., Algorithm 2): x_T ~ N(0, I), then for t = T..1
 * x_{t-1} = (x_t - beta_t / sqrt(1 - alphaBar_t) eps(x_t, t)) / sqrt(alpha_t) + sigma_t z, z ~ N(0, I) for t > 1, z = 0 at t = 1.
 */
public final class DdpmSampler {

    private final NoiseSchedule schedule;
    private final DdpmVariance variance;
    private final Posterior posterior;

    public DdpmSampler(NoiseSchedule schedule, DdpmVariance variance) {
        this.schedule = schedule;
        this.variance = variance;
        this.posterior = new Posterior(schedule);
    }

    /** n samples x_0 from the model, seeded; the result lives in manager. Each step runs in its own sub-manager. */
    public NDArray sample(NDManager manager, ScoreModel model, int n, long seed) {
        return sample(manager, model, n, seed, (x, t) -> { });
    }

    /** As above, calling observer.accept(x_{t-1}, t - 1) after every step (x_{t-1} is valid only during the call). */
    public NDArray sample(NDManager manager, ScoreModel model, int n, long seed, ObjIntConsumer<NDArray> observer) {
        if (n < 1) {
            throw new IllegalArgumentException("n = " + n + ": the number of samples must be >= 1");
        }
        if (model.kernel() != schedule) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + " but the sampler runs " + schedule);
        }
        Environment.seed(seed);
        NDArray x = manager.randomNormal(new Shape(n, model.dim())); // x_T ~ N(0, I)
        try (Progress progress = new Progress("ddpm sample", schedule.T())) {
            for (int t = schedule.T(); t >= 1; t--) {
                try (NDManager step = manager.newSubManager()) {
                    x.attach(step);
                    NDArray mean = posterior.meanFromEpsilon(x, model.epsilon(x, t), t);
                    NDArray z = step.randomNormal(x.getShape());
                    NDArray next = t > 1 ? mean.add(z.mul(Math.sqrt(variance.sigmaSquared(schedule, t)))) : mean;
                    next.attach(manager);
                    x = next;
                }
                observer.accept(x, t - 1);
                progress.update(schedule.T() - t + 1, "t=" + t);
            }
        }
        return x;
    }
}
