package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;
import java.util.function.BiFunction;

/**
 * The seam between models and algorithms: a prediction at (x_t, t) for a perturbation kernel x_t = m(t) x_0 + s(t) eps,
 * in the model's own parameterisation (eps, x_0, v or the score). Samplers, likelihoods and metrics see only this
 * interface and ask for the quantity they need (epsilon, score, denoise), which one conversion (Parameterisation)
 * derives from the model's output; trained networks and analytic oracles both implement it. Inputs are batches
 * (n, sampleShape...) of n samples; any conditioning (a class label) is bound into the model.
 */
public interface ScoreModel {

    /** The shape of one sample: (d) for vectors, (C, H, W) for images. */
    Shape sampleShape();

    /** The number of entries of one sample, d = prod(sampleShape). */
    default int dim() {
        return Math.toIntExact(sampleShape().size());
    }

    /** The perturbation kernel whose noise this model describes. */
    PerturbationKernel kernel();

    /** What output(x, t) predicts. */
    Parameterisation parameterisation();

    /** The model's prediction at (x_t, t) in its own parameterisation, shaped like x. */
    NDArray output(NDArray x, double t);

    /** The prediction converted to target (one forward pass; none if the parameterisations agree). */
    default NDArray predict(Parameterisation target, NDArray x, double t) {
        return parameterisation().convert(output(x, t), target, x, kernel(), t);
    }

    /** eps(x_t, t), the predicted noise. */
    default NDArray epsilon(NDArray x, double t) {
        return predict(Parameterisation.EPSILON, x, t);
    }

    /** The score grad_x log p_t(x) = -eps(x_t, t) / s(t) (the eps-score relation). */
    default NDArray score(NDArray x, double t) {
        return predict(Parameterisation.SCORE, x, t);
    }

    /**
     * A model given by its output function, output(x, t) in parameterisation over kernel, for samples of sampleShape
     * (analytic models, stand-ins for a network in tests).
     */
    static ScoreModel of(Shape sampleShape, PerturbationKernel kernel, Parameterisation parameterisation,
            BiFunction<NDArray, Double, NDArray> output) {
        Arguments.allNonNull("sampleShape, kernel, parameterisation, output", sampleShape, kernel, parameterisation, output);
        return new ScoreModel() {
            @Override
            public Shape sampleShape() {
                return sampleShape;
            }

            @Override
            public PerturbationKernel kernel() {
                return kernel;
            }

            @Override
            public Parameterisation parameterisation() {
                return parameterisation;
            }

            @Override
            public NDArray output(NDArray x, double t) {
                return output.apply(x, t);
            }
        };
    }

    /** Tweedie's formula: E[x_0 | x_t] = (x_t + s(t)^2 grad log p_t(x_t)) / m(t) = (x_t - s(t) eps) / m(t). */
    default NDArray denoise(NDArray x, double t) {
        return predict(Parameterisation.X0, x, t);
    }
}
