package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.EpsMlp;
import diffusion.nn.TimeConditioning;
import diffusion.schedule.PerturbationKernel;

/**
 * A trained noise predictor eps_theta(x_t, t) seen through the ScoreModel seam (inference only). A network with more
 * outputs than d (eps and a learned variance, say) contributes its first d outputs as eps. The network sees the time
 * through the conditioning it was trained with, tau(t): the step t itself for discrete chains, the log noise level
 * for continuous-time models (nn/TimeConditioning).
 */
public final class NetworkScoreModel implements ScoreModel {

    private final EpsMlp network;
    private final PerturbationKernel kernel;
    private final TimeConditioning conditioning;

    /** A network trained on the kernel's own time, tau = t (TimeConditioning.KERNEL_TIME). */
    public NetworkScoreModel(EpsMlp network, PerturbationKernel kernel) {
        this(network, kernel, TimeConditioning.KERNEL_TIME);
    }

    /** A network trained on tau(t) (see TrainableScore.fromEpsilon(network, conditioning)). */
    public NetworkScoreModel(EpsMlp network, PerturbationKernel kernel, TimeConditioning conditioning) {
        this.network = network;
        this.kernel = kernel;
        this.conditioning = Arguments.nonNull("conditioning", conditioning);
    }

    /** (d). */
    @Override
    public Shape sampleShape() {
        return new Shape(network.dim());
    }

    /** The network predicts the noise. */
    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.EPSILON;
    }

    @Override
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** eps_theta(x_t, tau(t)), the same t for every row. */
    @Override
    public NDArray output(NDArray x, double t) {
        Arguments.requireBatch("x", x, dim());
        NDArray time = x.getManager().full(new Shape(x.getShape().get(0)), (float) conditioning.input(t)).toDevice(x.getDevice(), false);
        NDArray out = network.forward(new ParameterStore(x.getManager(), false), new NDList(x, time), false).head();
        return network.outputs() == dim() ? out : out.get(":, 0:" + dim());
    }
}
