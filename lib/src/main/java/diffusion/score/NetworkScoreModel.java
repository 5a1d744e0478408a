package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.EpsMlp;
import diffusion.schedule.PerturbationKernel;

/**
 * A trained noise predictor eps_theta(x_t, t) seen through the ScoreModel seam (inference only). A network with more
 * outputs than d (eps and a learned variance, say) contributes its first d outputs as eps. The network sees the time
 * as c t for a time scale c (1 for discrete steps; continuous-time SDE models on [0, 1] use c = 1000 so that the
 * sinusoidal embedding sees the same range as a 1000-step chain).
 */
public final class NetworkScoreModel implements ScoreModel {

    private final EpsMlp network;
    private final PerturbationKernel kernel;
    private final double timeScale;

    /** A network trained on the kernel's own time t (time scale 1). */
    public NetworkScoreModel(EpsMlp network, PerturbationKernel kernel) {
        this(network, kernel, 1);
    }

    /** A network trained on c t, c = timeScale &gt; 0 (see TrainableScore.fromEpsilon(network, c)). */
    public NetworkScoreModel(EpsMlp network, PerturbationKernel kernel, double timeScale) {
        this.network = network;
        this.kernel = kernel;
        this.timeScale = Arguments.positive("timeScale", timeScale);
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

    /** eps_theta(x_t, c t), the same t for every row. */
    @Override
    public NDArray output(NDArray x, double t) {
        Arguments.requireBatch("x", x, dim());
        NDArray time = x.getManager().full(new Shape(x.getShape().get(0)), (float) (timeScale * t)).toDevice(x.getDevice(), false);
        NDArray out = network.forward(new ParameterStore(x.getManager(), false), new NDList(x, time), false).head();
        return network.outputs() == dim() ? out : out.get(":, 0:" + dim());
    }
}
