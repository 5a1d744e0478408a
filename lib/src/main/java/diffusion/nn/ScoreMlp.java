package diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Arguments;
import java.util.ArrayList;
import java.util.List;

/**
 * A score network s_theta(x): R^d -&gt; R^d, an MLP with `depth` hidden layers h = W x + b followed by SiLU
 * a(h) = h sigmoid(h), and a linear output layer; depth = 0 is the linear score model s(x) = W x + b.
 *
 * <p>Besides the forward pass it computes the exact Jacobian-vector product J v = (grad_x s) v by forward-mode
 * tangent propagation: a Linear layer maps the tangent dx to W dx, a SiLU layer maps dh to a'(h) dh with
 * a'(h) = sigmoid(h) (1 + h (1 - sigmoid(h))). Both passes are ordinary NDArray operations on the layer weights,
 * so one ordinary backward of a loss built from J v (sliced score matching's v^T J v) yields its exact parameter
 * gradient: no double backward is needed.
 */
public final class ScoreMlp extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final int width;
    private final int depth;
    private final List<Parameter> weights = new ArrayList<>();
    private final List<Parameter> biases = new ArrayList<>();

    /** An MLP score network for d &gt;= 1 dimensional data with depth &gt;= 0 hidden layers of width &gt;= 1 units. */
    public ScoreMlp(int dim, int width, int depth) {
        super(VERSION);
        Arguments.atLeast("dim", dim, 1);
        Arguments.atLeast("width", width, 1);
        Arguments.atLeast("depth", depth, 0);
        this.dim = dim;
        this.width = width;
        this.depth = depth;
        for (int layer = 0; layer <= depth; layer++) {
            int in = layer == 0 ? dim : width;
            int out = layer == depth ? dim : width;
            weights.add(addParameter(Parameter.builder().setName("weight" + layer).setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(out, in)).build()));
            biases.add(addParameter(Parameter.builder().setName("bias" + layer).setType(Parameter.Type.BIAS)
                    .optShape(new Shape(out)).build()));
        }
    }

    /** The linear score model s(x) = W x + b (no hidden layer). */
    public static ScoreMlp linear(int dim) {
        return new ScoreMlp(dim, 1, 0);
    }

    /** A fresh, uninitialised network with the same architecture (used for the EMA copy). */
    public ScoreMlp sameArchitecture() {
        return new ScoreMlp(dim, width, depth);
    }

    /** d, the data dimension. */
    public int dim() {
        return dim;
    }

    /** The number of hidden layers (0 for the linear model). */
    public int depth() {
        return depth;
    }

    /** Initialises the parameters (Xavier weights, zero biases) in the given data type. */
    public void initialize(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, dim));
    }

    /**
     * The pair (s_theta(x), J v) with J = grad_x s_theta(x) for x and v of shape (n, d): row i of the second array
     * is J(x_i) v_i. Differentiable in the parameters read through parameters.
     */
    public NDList jvp(ParameterStore parameters, NDArray x, NDArray v, boolean training) {
        Arguments.requireBatch("x", x, dim);
        Arguments.requireSame("x", x, "v", v);
        return propagate(parameters, x, v, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameters, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Arguments.requireBatch("x", x, dim);
        return new NDList(propagate(parameters, x, null, training).head());
    }

    /** The forward pass, carrying the tangent dx = v along when v is not null. */
    private NDList propagate(ParameterStore parameters, NDArray x, NDArray v, boolean training) {
        Device device = x.getDevice();
        NDArray value = x;
        NDArray tangent = v;
        for (int layer = 0; layer <= depth; layer++) {
            NDArray w = parameters.getValue(weights.get(layer), device, training).transpose();
            NDArray b = parameters.getValue(biases.get(layer), device, training);
            NDArray h = value.matMul(w).add(b); // h = W x + b
            tangent = tangent == null ? null : tangent.matMul(w); // dh = W dx
            if (layer == depth) {
                value = h;
            } else {
                NDArray sigmoid = Activation.sigmoid(h);
                value = h.mul(sigmoid); // a(h) = h sigmoid(h)
                if (tangent != null) {
                    tangent = tangent.mul(sigmoid.mul(h.mul(sigmoid.neg().add(1)).add(1))); // a'(h) dh
                }
            }
        }
        return tangent == null ? new NDList(value) : new NDList(value, tangent);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }
}
