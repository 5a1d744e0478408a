package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import diffusion.Arguments;
import java.util.Arrays;

/**
 * Group normalisation (Wu and He 2018), which DJL's PyTorch engine lacks as a block: the C channels of x (n, C, ...)
 * fall into G groups of C / G consecutive channels; within each sample and group, with mean mu and (biased) variance
 * sigma^2 over the group's channels and positions, y = gamma_c (x - mu) / sqrt(sigma^2 + epsilon) + beta_c with a
 * learnable per-channel scale gamma (initially 1) and shift beta (initially 0).
 */
public final class GroupNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The default epsilon, PyTorch's. */
    public static final double EPSILON = 1e-5;

    private final int groups;
    private final int channels;
    private final double epsilon;
    private final Parameter gamma;
    private final Parameter beta;

    /** G = groups &gt;= 1 groups dividing channels &gt;= 1, epsilon = 1e-5. */
    public GroupNorm(int groups, int channels) {
        this(groups, channels, EPSILON);
    }

    /** As above with epsilon &gt; 0 added to the variance. */
    public GroupNorm(int groups, int channels, double epsilon) {
        super(VERSION);
        Arguments.atLeast("groups", groups, 1);
        Arguments.atLeast("channels", channels, 1);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("groups = " + groups + " must divide channels = " + channels);
        }
        this.groups = groups;
        this.channels = channels;
        this.epsilon = Arguments.positive("epsilon", epsilon);
        if (!((float) epsilon >= Float.MIN_NORMAL)) {
            throw new IllegalArgumentException("epsilon = " + epsilon + " is below float32's smallest normal " + Float.MIN_NORMAL
                    + ": it would not keep the variance of a constant group away from 0");
        }
        this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(1)).build());
        this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).optInitializer(new ConstantInitializer(0)).build());
    }

    /** G. */
    public int groups() {
        return groups;
    }

    /** C. */
    public int channels() {
        return channels;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape shape = x.getShape();
        if (shape.dimension() < 2 || shape.get(1) != channels) {
            throw new IllegalArgumentException("x has shape " + shape + ": expected (n, " + channels + ", ...)");
        }
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true)); // x - mu
        NDArray variance = centred.square().mean(new int[] {2}, true); // sigma^2, biased
        NDArray normalised = centred.div(variance.add(epsilon).sqrt()).reshape(shape); // (x - mu) / sqrt(sigma^2 + epsilon)
        long[] perChannel = new long[shape.dimension()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        Shape broadcast = new Shape(perChannel);
        NDArray scale = parameterStore.getValue(gamma, x.getDevice(), training).reshape(broadcast);
        NDArray shift = parameterStore.getValue(beta, x.getDevice(), training).reshape(broadcast);
        return new NDList(normalised.mul(scale).add(shift)); // gamma_c xhat + beta_c
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
