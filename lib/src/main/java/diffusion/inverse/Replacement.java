package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.sample.Constraint;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.ScoreModel;

/**
 * The replacement constraint x_t &lt;- x_t - P x_t + P y_t with y_t = m(t) A^+ y + s(t) z, z ~ N(0, I): the
 * observed part of the state is overwritten by a forward-noised copy of the observation at the state's time, drawn
 * afresh each time (P = A^+ A). With a mask (P = M) this is imputation by replacement (Song et al. 2021, appendix I.2;
 * inside annealed Langevin, Song and Ermon's inpainting by projection); with average pooling (P = phi_N) it is ILVR's
 * low-pass replacement x &lt;- x - phi_N(x) + phi_N(y_t) (Choi et al. 2021). The observation noise sigma_y is not
 * modelled: y is treated as noiseless.
 */
public final class Replacement implements Constraint {

    private final Observation observation;
    private final PerturbationKernel kernel;

    /** Replacement of observation's subspace under kernel (the model's). */
    public Replacement(Observation observation, PerturbationKernel kernel) {
        this.observation = Arguments.nonNull("observation", observation);
        this.kernel = Arguments.nonNull("kernel", kernel);
    }

    /** x - P x + P (m(t) A^+ y + s(t) z). */
    @Override
    public NDArray apply(NDArray x, double t, Noise noise) {
        LinearOperator a = observation.operator();
        NDArray reference = a.pseudoInverse(observation.values(x)).mul(kernel.meanScale(t)); // m(t) A^+ y
        double s = kernel.std(t);
        if (s > 0) {
            reference = reference.add(noise.normal(x.getManager(), x.getShape()).mul(s));
        }
        return x.sub(a.project(x)).add(a.project(reference)); // (I - P) x + P y_t
    }

    /** The model's sample shape is the operator's input shape, its kernel is this constraint's, start has 1 or b rows. */
    @Override
    public void check(ScoreModel model, NDArray start) {
        observation.operator().requireModel(model);
        observation.requireRows(Math.toIntExact(start.getShape().get(0)));
        if (model.kernel() != kernel) {
            throw new IllegalArgumentException("the replacement noises the observation under " + kernel + " but the model predicts for "
                    + model.kernel());
        }
    }

    @Override
    public String toString() {
        return (observation.operator() instanceof AveragePooling ? "ILVR low-pass replacement" : "replacement") + " (" + observation.operator() + ")";
    }
}
