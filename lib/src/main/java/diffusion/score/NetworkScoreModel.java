package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.nn.EpsMlp;
import diffusion.process.Shapes;
import diffusion.schedule.PerturbationKernel;

/**
 * A trained noise predictor eps_theta(x_t, t) seen through the ScoreModel seam (inference only). A network with more
 * outputs than d (eps and a learned variance, say) contributes its first d outputs as eps.
 */
public final class NetworkScoreModel implements ScoreModel {

    private final EpsMlp network;
    private final PerturbationKernel kernel;

    public NetworkScoreModel(EpsMlp network, PerturbationKernel kernel) {
        this.network = network;
        this.kernel = kernel;
    }

    @Override
    public int dim() {
        return network.dim();
    }

    @Override
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** eps_theta(x_t, t), the same t for every row. */
    @Override
    public NDArray epsilon(NDArray x, double t) {
        Shapes.requireBatch("x", x, dim());
        NDArray time = x.getManager().full(new Shape(x.getShape().get(0)), (float) t).toDevice(x.getDevice(), false);
        NDArray out = network.forward(new ParameterStore(x.getManager(), false), new NDList(x, time), false).head();
        return network.outputs() == dim() ? out : out.get(":, 0:" + dim());
    }
}
