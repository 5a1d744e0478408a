package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import diffusion.Arguments;
import java.util.ArrayList;
import java.util.List;

/**
 * A time-dependent image classifier f(x_t, tau) -&gt; K logits, the classifier of classifier guidance on images
 * (Dhariwal and Nichol 2021 use the UNet's encoder half with a pooled head; this is a small one of the same shape): the
 * time embedding of nn/TimeEmbedding (4 x base wide), a 3x3 convolution to base channels, then per level
 * l = 0..L-1 one residual block (nn/ResidualBlock, reading e) to base 2^l channels followed, except after the last
 * level, by a 3x3 convolution of stride 2 (H -&gt; H / 2), then GN - SiLU - the mean over positions - a linear layer
 * to K logits. Inputs NDList(x_t (n, C, H, W), tau (n,)); output NDList(logits (n, K)). As a TimeNetwork it is trained by
 * train/NoisyClassifierTrainer and read as p_t(y | x_t) by guidance/NoisyClassifier.
 */
public final class NoisyImageClassifier extends AbstractBlock implements TimeNetwork {

    private static final byte VERSION = 1;
    /** The most levels: each halves the images, and 2^16 pixels is far beyond any image here. */
    private static final int MAX_LEVELS = 16;
    /** The most channels of the first level (as UNet's MAX_WIDTH): wider exhausts memory long before it is useful. */
    private static final int MAX_BASE = 1 << 12;

    /** Images (channels, height, width), K = classes, base channels, L = levels, `groups` groups of every GN. */
    public record Config(int channels, int height, int width, int classes, int base, int levels, int groups) {

        /** Validates every field: H and W positive multiples of 2^(L-1), groups dividing base. */
        public Config {
            Arguments.atLeast("channels", channels, 1);
            Arguments.atLeast("classes", classes, 2);
            Arguments.derivedSize("base", Arguments.atLeast("base", base, 1), "channels in the first level", base, MAX_BASE);
            Arguments.derivedSize("levels", Arguments.atLeast("levels", levels, 1), "levels", levels, MAX_LEVELS);
            Arguments.atLeast("groups", groups, 1);
            if (base % groups != 0) {
                throw new IllegalArgumentException("groups = " + groups + " must divide base = " + base
                        + " (and so every width base 2^l)");
            }
            int factor = 1 << (levels - 1);
            if (height < factor || width < factor || height % factor != 0 || width % factor != 0) {
                throw new IllegalArgumentException("height = " + height + ", width = " + width + ": with " + levels
                        + " levels the images are halved " + (levels - 1) + " times, so height and width must be positive"
                        + " multiples of " + factor);
            }
        }
    }

    private final Config config;
    private final TimeEmbedding time;
    private final Conv2d input;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final List<Conv2d> halving = new ArrayList<>();
    private final GroupNorm outputNorm;
    private final Linear head;
    /** Every child block with its input shapes (batch 1), in construction order: what initialize() feeds them. */
    private final List<Pair<Block, Shape[]>> childInputs = new ArrayList<>();

    /** A classifier of the given architecture. */
    public NoisyImageClassifier(Config config) {
        super(VERSION);
        this.config = Arguments.nonNull("config", config);
        this.time = child("time", new TimeEmbedding(config.base()), new Shape(1));
        int height = config.height();
        int width = config.width();
        int channels = config.base();
        this.input = child("input", Convolutions.same(channels), new Shape(1, config.channels(), height, width));
        for (int l = 0; l < config.levels(); l++) {
            int width_l = config.base() << l;
            blocks.add(child("level" + l, new ResidualBlock(channels, width_l, config.groups(), 0),
                    new Shape(1, channels, height, width), new Shape(1, time.width())));
            channels = width_l;
            if (l < config.levels() - 1) {
                halving.add(child("level" + l + ".halve", Convolutions.halving(channels), new Shape(1, channels, height, width)));
                height /= 2;
                width /= 2;
            }
        }
        this.outputNorm = child("output.norm", new GroupNorm(config.groups(), channels), new Shape(1, channels, height, width));
        this.head = child("head", Linear.builder().setUnits(config.classes()).build(), new Shape(1, channels));
    }

    /** The default for the 8x8 digits: base 16 channels, 2 levels (8x8 and 4x4), 4 groups, 10 classes. */
    public static NoisyImageClassifier forDigits() {
        return new NoisyImageClassifier(new Config(1, 8, 8, 10, 16, 2, 4));
    }

    private <B extends Block> B child(String name, B block, Shape... inputShapes) {
        childInputs.add(new Pair<>(block, inputShapes));
        return addChildBlock(name, block);
    }

    /** The architecture. */
    public Config config() {
        return config;
    }

    /** K, the number of classes. */
    public int classes() {
        return config.classes();
    }

    /** (C, H, W). */
    @Override
    public Shape sampleShape() {
        return new Shape(config.channels(), config.height(), config.width());
    }

    /** A fresh, uninitialised classifier of the same architecture. */
    @Override
    public NoisyImageClassifier sameArchitecture() {
        return new NoisyImageClassifier(config);
    }

    /** Initialises the parameters for batches of sampleShape() images. */
    @Override
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1).addAll(sampleShape()), new Shape(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        Arguments.requireSamples("x", x, sampleShape());
        NDArray e = time.forward(ps, new NDList(inputs.get(1)), training).head();
        NDArray h = input.forward(ps, new NDList(x), training).head();
        for (int l = 0; l < config.levels(); l++) {
            h = blocks.get(l).forward(ps, new NDList(h, e), training).head();
            if (l < config.levels() - 1) {
                h = halving.get(l).forward(ps, new NDList(h), training).head();
            }
        }
        NDArray a = Silu.apply(outputNorm.forward(ps, new NDList(h), training).head());
        NDArray pooled = a.reshape(a.getShape().get(0), a.getShape().get(1), -1).mean(new int[] {2}); // mean over positions: (n, channels)
        return head.forward(ps, new NDList(pooled), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<Block, Shape[]> child : childInputs) {
            child.getKey().initialize(manager, dataType, child.getValue());
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
    }
}
