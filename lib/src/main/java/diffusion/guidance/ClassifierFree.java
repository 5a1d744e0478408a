package diffusion.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;

/**
 * Classifier-free guidance (Ho and Salimans 2022) as a decorator over a conditional model: the guided prediction
 * eps~(x, t, y) = (1 + w) eps(x, t, y) - w eps(x, t), in Ho and Salimans' convention, where w = 0 is the conditional
 * model and w = -1 the unconditional one; diffusers' guidance_scale is 1 + w (its eps_u + g (eps_c - eps_u)). In the
 * score form it reads (1 + w) s(x | y) - w s(x), the score of p_t(x | y)^(1+w) p_t(x)^(-w) at each t, which is not the
 * score of the diffused tilted density p(x | y)^(1+w) p(x)^(-w) at t = 0 pushed through the kernel (analytic/
 * TiltedDensity gives that target exactly in 2D). Two evaluations of the model per call.
 */
public final class ClassifierFree implements ScoreModel {

    private final ScoreModel conditional;
    private final ScoreModel unconditional;
    private final double w;

    /** Guidance of weight w (|w| &lt;= MAX_GUIDANCE; w = 0 gives model.given(label)) towards a label in 0..K-1. */
    public ClassifierFree(ConditionalModel model, int label, double w) {
        Arguments.nonNull("model", model);
        this.w = Arguments.within("w", w, -Arguments.MAX_GUIDANCE, Arguments.MAX_GUIDANCE);
        this.conditional = model.given(ConditionalModel.requireLabel(label, model.classes()));
        this.unconditional = model.unconditional();
    }

    /** The guidance weight w. */
    public double w() {
        return w;
    }

    @Override
    public Shape sampleShape() {
        return conditional.sampleShape();
    }

    @Override
    public PerturbationKernel kernel() {
        return conditional.kernel();
    }

    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.EPSILON;
    }

    /** (1 + w) eps(x, t, y) - w eps(x, t). */
    @Override
    public NDArray output(NDArray x, double t) {
        NDArray guided = conditional.epsilon(x, t);
        return w == 0 ? guided : guided.mul(1 + w).sub(unconditional.epsilon(x, t).mul(w));
    }
}
