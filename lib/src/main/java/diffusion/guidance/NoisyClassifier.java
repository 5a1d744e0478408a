package diffusion.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.TimeConditioning;

/**
 * A time-dependent classifier network f(x_t, tau(t)) -&gt; K logits, trained on noisy data (train/NoisyClassifierTrainer),
 * seen as p_t(y | x_t) = softmax(f(x_t, tau(t)))_y: for 2D data an nn/EpsMlp with K outputs reads (x_t, tau) exactly
 * as an eps network does. Inference mode; differentiable in x for classifier guidance.
 */
public final class NoisyClassifier implements Classifier {

    private final Block network;
    private final Shape sampleShape;
    private final int classes;
    private final TimeConditioning conditioning;

    /** network of inputs (x (n, sampleShape...), tau (n,)) and output logits (n, classes), classes &gt;= 2. */
    public NoisyClassifier(Block network, Shape sampleShape, int classes, TimeConditioning conditioning) {
        Arguments.allNonNull("network, sampleShape, conditioning", network, sampleShape, conditioning);
        this.network = network;
        this.sampleShape = sampleShape;
        this.classes = Arguments.atLeast("classes", classes, 2);
        this.conditioning = conditioning;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public Shape sampleShape() {
        return sampleShape;
    }

    /** log softmax(f(x, tau(t))) (n, K). */
    @Override
    public NDArray logProbabilities(NDArray x, double t) {
        Arguments.requireSamples("x", x, sampleShape);
        NDArray tau = x.getManager().full(new Shape(x.getShape().get(0)), (float) conditioning.input(t)).toDevice(x.getDevice(), false);
        NDArray logits = network.forward(new ParameterStore(x.getManager(), false), new NDList(x, tau), false).head();
        if (!logits.getShape().equals(new Shape(x.getShape().get(0), classes))) {
            throw new IllegalArgumentException("the classifier network returned logits of shape " + logits.getShape()
                    + ": expected (" + x.getShape().get(0) + ", " + classes + ")");
        }
        return logits.logSoftmax(1);
    }
}
