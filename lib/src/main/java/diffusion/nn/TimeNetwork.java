package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * A network of (x_t, tau): inputs NDList(x_t of shape (n, sampleShape...), tau of shape (n,)), output NDList of one
 * array (n, C', ...) whose first sampleShape[0] channels (axis 1) are the prediction, shaped like x_t: the MLP for
 * vectors (EpsMlp) and the UNet for images. What it predicts (eps, x_0, v) is said where it is seen as a ScoreModel
 * (score/NetworkScoreModel).
 */
public interface TimeNetwork extends Block {

    /** The shape of one input sample: (d) for vectors, (C, H, W) for images. */
    Shape sampleShape();

    /** A fresh, uninitialised network of the same class and architecture (the EMA copy, a checkpoint's target). */
    TimeNetwork sameArchitecture();

    /** Initialises the parameters for batches of sampleShape() samples. */
    void initialize(NDManager manager);

    /** The prediction within an output (n, C', ...) of this network: its first C = sampleShape[0] channels (axis 1). */
    default NDArray prediction(NDArray output) {
        long channels = sampleShape().get(0);
        return output.getShape().get(1) == channels ? output : output.get(":, 0:" + channels);
    }

    /** The number of trainable parameters (entries of every weight and bias); the network must be initialised. */
    default long parameterCount() {
        if (!isInitialized()) {
            throw new IllegalStateException("the network is not initialised: call initialize(manager) first");
        }
        return getParameters().values().stream().map(Parameter::getArray).mapToLong(NDArray::size).sum();
    }
}
