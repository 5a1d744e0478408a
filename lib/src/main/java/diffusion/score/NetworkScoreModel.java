package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;
import diffusion.schedule.PerturbationKernel;

/**
 * A trained network seen through the ScoreModel seam (inference only): its output at (x_t, tau(t)) is a prediction in
 * a stated parameterisation (eps unless said otherwise). A network with more output channels than the sample (eps
 * and a learned variance, say) contributes its first sampleShape[0] channels (axis 1). The network sees the time
 * through the conditioning it was trained with, tau(t): the step t itself for discrete chains, the log noise level
 * for continuous-time models (nn/TimeConditioning). A class-conditional network (inputs (x_t, tau, y)) is bound to one
 * label by labelled(y).
 */
public final class NetworkScoreModel implements ScoreModel {

    private final TimeNetwork network;
    private final PerturbationKernel kernel;
    private final TimeConditioning conditioning;
    private final Parameterisation parameterisation;
    private final Integer label; // the label fed as the network's third input, or null for none

    /** A noise predictor trained on the kernel's own time, tau = t (TimeConditioning.KERNEL_TIME). */
    public NetworkScoreModel(TimeNetwork network, PerturbationKernel kernel) {
        this(network, kernel, TimeConditioning.KERNEL_TIME);
    }

    /** A noise predictor trained on tau(t) (see TrainableScore.fromEpsilon(network, conditioning)). */
    public NetworkScoreModel(TimeNetwork network, PerturbationKernel kernel, TimeConditioning conditioning) {
        this(network, kernel, conditioning, Parameterisation.EPSILON);
    }

    /** A network trained on tau(t) to predict in parameterisation (eps, x_0, v or the score). */
    public NetworkScoreModel(TimeNetwork network, PerturbationKernel kernel, TimeConditioning conditioning,
            Parameterisation parameterisation) {
        this(network, kernel, conditioning, parameterisation, null);
    }

    private NetworkScoreModel(TimeNetwork network, PerturbationKernel kernel, TimeConditioning conditioning,
            Parameterisation parameterisation, Integer label) {
        this.label = label;
        this.network = Arguments.nonNull("network", network);
        this.kernel = Arguments.nonNull("kernel", kernel);
        this.conditioning = Arguments.nonNull("conditioning", conditioning);
        this.parameterisation = Arguments.nonNull("parameterisation", parameterisation);
    }

    /**
     * The same network fed the label y &gt;= 0 as a third input (n,) of integers, for a class-conditional network
     * (nn/UNet with classes, nn/ConditionalEpsMlp), which checks its range (K = no label).
     */
    public NetworkScoreModel labelled(int y) {
        if (y < 0) {
            throw new IllegalArgumentException("y = " + y + ": a label must be >= 0");
        }
        return new NetworkScoreModel(network, kernel, conditioning, parameterisation, y);
    }

    /** The network's sample shape. */
    @Override
    public Shape sampleShape() {
        return network.sampleShape();
    }

    @Override
    public Parameterisation parameterisation() {
        return parameterisation;
    }

    @Override
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** The network's prediction at (x_t, tau(t)), the same t for every row. */
    @Override
    public NDArray output(NDArray x, double t) {
        Arguments.requireSamples("x", x, sampleShape());
        NDArray time = x.getManager().full(new Shape(x.getShape().get(0)), (float) conditioning.input(t)).toDevice(x.getDevice(), false);
        NDList inputs = new NDList(x, time);
        if (label != null) {
            inputs.add(x.getManager().full(new Shape(x.getShape().get(0)), label, DataType.INT64).toDevice(x.getDevice(), false));
        }
        return network.prediction(network.forward(new ParameterStore(x.getManager(), false), inputs, false).head());
    }
}
