package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.Timesteps;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;

/**
 * A noise predictor of the full schedule seen as one of the sub-schedule of a timestep sequence:
 * eps'(x, k) = eps(x, tau_k), with kernel alphaBar'_k = alphaBar_{tau_k}. Any DDPM sampler or bound then runs on the
 * K steps of the sub-sequence.
 */
public final class SubsequenceModel implements ScoreModel {

    private final ScoreModel model;
    private final Timesteps steps;

    /** model must predict the noise of steps.schedule(). */
    public SubsequenceModel(ScoreModel model, Timesteps steps) {
        Arguments.allNonNull("model, steps", model, steps);
        if (model.kernel() != steps.schedule()) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + " but the timesteps index " + steps.schedule());
        }
        this.model = model;
        this.steps = steps;
    }

    /** The timestep sequence. */
    public Timesteps steps() {
        return steps;
    }

    @Override
    public Shape sampleShape() {
        return model.sampleShape();
    }

    @Override
    public Parameterisation parameterisation() {
        return model.parameterisation();
    }

    /** The sub-schedule alphaBar'_k = alphaBar_{tau_k}. */
    @Override
    public NoiseSchedule kernel() {
        return steps.subSchedule();
    }

    /** The model's output at tau_k for integer k in 1..K (the same m and s, so every conversion agrees). */
    @Override
    public NDArray output(NDArray x, double k) {
        return model.output(x, steps.tau(NoiseSchedule.step(k)));
    }
}
