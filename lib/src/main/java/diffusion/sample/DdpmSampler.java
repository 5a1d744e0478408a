package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.function.ObjIntConsumer;

/**
 * DDPM ancestral sampling (Ho et al., Algorithm 2): x_T ~ N(0, I), then for t = T..1
 * x_{t-1} = (x_t - beta_t / sqrt(1 - alphaBar_t) eps(x_t, t)) / sqrt(alpha_t) + sigma_t z, z ~ N(0, I) for t > 1, z = 0 at t = 1.
 * The ReverseSampler loop over the fixed-variance kernel FixedVarianceReverse.
 */
public final class DdpmSampler {

    private final NoiseSchedule schedule;
    private final DdpmVariance variance;

    public DdpmSampler(NoiseSchedule schedule, DdpmVariance variance) {
        this.schedule = schedule;
        this.variance = variance;
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
        return new ReverseSampler().sample(manager, new FixedVarianceReverse(model, schedule, variance), n, seed, observer);
    }
}
