package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;

/**
 * A model of samples of any shape (images (C, H, W), say) seen as a model of vectors of d = C H W entries: output(x, t)
 * for x (n, d) is the model's output at x reshaped to (n, C, H, W), reshaped back to (n, d). The same kernel,
 * parameterisation and numbers; code written for batches (n, d) (loss/VariationalBound,
 * likelihood/ProbabilityFlowLikelihood, analytic/EpsMoment) then runs on image models unchanged.
 */
public final class FlatView implements ScoreModel {

    private final ScoreModel model;

    /** The flat view of model. */
    public FlatView(ScoreModel model) {
        this.model = Arguments.nonNull("model", model);
    }

    /** The model seen through this view. */
    public ScoreModel model() {
        return model;
    }

    /** (d), d = prod(model.sampleShape()). */
    @Override
    public Shape sampleShape() {
        return new Shape(model.sampleShape().size());
    }

    @Override
    public PerturbationKernel kernel() {
        return model.kernel();
    }

    @Override
    public Parameterisation parameterisation() {
        return model.parameterisation();
    }

    /** model.output(x reshaped (n, sampleShape...), t) reshaped (n, d). */
    @Override
    public NDArray output(NDArray x, double t) {
        Arguments.requireSamples("x", x, sampleShape());
        long n = x.getShape().get(0);
        return model.output(x.reshape(new Shape(n).addAll(model.sampleShape())), t).reshape(x.getShape());
    }

    /** A batch of the model's samples (n, sampleShape...) as vectors (n, d), the layout output(x, t) takes. */
    public NDArray flatten(NDArray samples) {
        Arguments.requireSamples("samples", samples, model.sampleShape());
        return samples.reshape(samples.getShape().get(0), model.sampleShape().size());
    }
}
