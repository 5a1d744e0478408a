package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A noise predictor eps_theta(x_t, tau[, y]) for images (n, C, H, W), the DDPM UNet (Ho et al. 2020) in DJL blocks.
 * The time input tau (as EpsMlp's, nn/TimeConditioning) is embedded sinusoidally (base channels wide) and passed
 * through Linear - SiLU - Linear to e of 4 x base channels (nn/TimeEmbedding); a conditional UNet adds a learned embedding of the class
 * label y in 0..K-1, where y = K means "no label" (the null class of classifier-free guidance). Then: a 3x3
 * convolution to base channels; per level l (channel multiplier m_l, width base m_l) `resBlocks` residual blocks
 * (nn/ResidualBlock, reading e), each followed by self-attention (nn/SelfAttention) when the level's height is among
 * the attention resolutions, and between levels a 3x3 convolution with stride 2 (H -&gt; H / 2); a middle of residual
 * block, self-attention, residual block at the lowest resolution; the mirror image upwards, each residual block
 * reading the matching encoder activation concatenated along the channels, up-sampling by nearest-neighbour repeat
 * (H -&gt; 2 H) and a 3x3 convolution; finally GN - SiLU - 3x3 convolution to `outputs` channels (C for eps).
 *
 * <p>Inputs NDList(x_t (n, C, H, W), tau (n,)[, y (n,) integer labels]); output NDList((n, outputs, H, W)). With L
 * levels the images are halved L - 1 times, so H and W must be multiples of 2^(L-1); other sizes are refused at
 * construction.
 */
public final class UNet extends AbstractBlock implements TimeNetwork {

    private static final byte VERSION = 1;
    /** The most channels a level may have (base x multiplier): wider exhausts memory long before it is useful. */
    private static final long MAX_WIDTH = 1 << 16;
    /** The most residual blocks on the way down (resBlocks x levels): deeper takes minutes to build and is never trained here. */
    private static final long MAX_BLOCKS = 1 << 10;

    /**
     * The architecture: images (channels, height, width); `outputs` output channels; widths base x multipliers per
     * level; `resBlocks` residual blocks per level; self-attention after the residual blocks of every level whose
     * height is in attentionResolutions (the middle always has one); dropout rate in [0, 1) inside residual blocks;
     * `groups` groups for every group normalisation (dividing every width); classes K for a conditional network,
     * empty for an unconditional one.
     */
    public record Config(int channels, int height, int width, int outputs, int base, List<Integer> multipliers,
            int resBlocks, Set<Integer> attentionResolutions, double dropout, int groups, OptionalInt classes) {

        /** Validates every field (see UNet's class comment for the sizes that work). */
        public Config {
            Arguments.allNonNull("multipliers, attentionResolutions, classes", multipliers, attentionResolutions, classes);
            Arguments.atLeast("channels", channels, 1);
            Arguments.atLeast("outputs", outputs, 1);
            Arguments.atLeast("base", base, 1);
            Arguments.derivedSize("base", base, "channels", base, MAX_WIDTH);
            Arguments.atLeast("resBlocks", resBlocks, 1);
            Arguments.atLeast("groups", groups, 1);
            multipliers = List.copyOf(multipliers);
            attentionResolutions = Set.copyOf(attentionResolutions);
            Arguments.derivedSize("resBlocks", resBlocks, "residual blocks (resBlocks x levels)",
                    (long) resBlocks * multipliers.size(), MAX_BLOCKS);
            if (multipliers.isEmpty()) {
                throw new IllegalArgumentException("multipliers is empty: give one channel multiplier per level, e.g. [1, 2]");
            }
            for (int l = 0; l < multipliers.size(); l++) {
                int m = Arguments.atLeast("multipliers[" + l + "]", multipliers.get(l), 1);
                Arguments.derivedSize("multipliers[" + l + "]", m, "channels (base x multiplier)", (long) base * m, MAX_WIDTH);
                if (base * m % groups != 0) {
                    throw new IllegalArgumentException("groups = " + groups + " must divide every width base x multiplier; "
                            + base + " x " + m + " = " + base * m + " is not a multiple");
                }
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout = " + dropout + " must lie in [0, 1)");
            }
            if (classes.isPresent()) {
                Arguments.size("classes", classes.getAsInt(), 1);
            }
            int halvings = multipliers.size() - 1;
            int factor = 1 << halvings;
            if (height < factor || width < factor || height % factor != 0 || width % factor != 0) {
                throw new IllegalArgumentException("height = " + height + ", width = " + width + ": with " + multipliers.size()
                        + " levels (multipliers " + multipliers + ") the UNet halves the images " + halvings
                        + " times, so height and width must be positive multiples of " + factor + " (" + examples(factor)
                        + "); use fewer levels, or pad or crop the images");
            }
            Set<Integer> levels = new TreeSet<>();
            for (int l = 0; l <= halvings; l++) {
                levels.add(height >> l);
            }
            for (int resolution : attentionResolutions) {
                if (!levels.contains(resolution)) {
                    throw new IllegalArgumentException("attentionResolutions = " + attentionResolutions + ": " + resolution
                            + " is no level's height: the levels of "
                            + height + "x" + width + " images are " + levels);
                }
            }
        }

        /** Sizes that work with `factor` = 2^(L-1): multiples of it, listed among 8, 28 and 32 when they qualify. */
        private static String examples(int factor) {
            List<String> sizes = new ArrayList<>();
            for (int size : new int[] {8, 28, 32}) {
                if (size % factor == 0) {
                    sizes.add(String.valueOf(size));
                }
            }
            return sizes.isEmpty() ? factor + ", " + 2 * factor + ", ..." : "e.g. " + String.join(", ", sizes);
        }

        /** The same architecture, conditional on K &gt;= 1 classes (label K = no label). */
        public Config withClasses(int k) {
            return new Config(channels, height, width, outputs, base, multipliers, resBlocks, attentionResolutions, dropout, groups, OptionalInt.of(k));
        }

        /** The same architecture with `count` output channels (2C for eps and a learned variance, say). */
        public Config withOutputs(int count) {
            return new Config(channels, height, width, count, base, multipliers, resBlocks, attentionResolutions, dropout, groups, classes);
        }

        /** The same architecture with another dropout rate. */
        public Config withDropout(double rate) {
            return new Config(channels, height, width, outputs, base, multipliers, resBlocks, attentionResolutions, rate, groups, classes);
        }
    }

    private final Config config;
    private final TimeEmbedding time;
    private final Linear classEmbedding;
    private final Conv2d input;
    private final List<ResidualBlock> encoder = new ArrayList<>();
    private final List<SelfAttention> encoderAttention = new ArrayList<>();
    private final List<Conv2d> halving = new ArrayList<>();
    private final ResidualBlock middle1;
    private final SelfAttention middleAttention;
    private final ResidualBlock middle2;
    private final List<ResidualBlock> decoder = new ArrayList<>();
    private final List<SelfAttention> decoderAttention = new ArrayList<>();
    private final List<Conv2d> doubling = new ArrayList<>();
    private final GroupNorm outputNorm;
    private final Conv2d output;
    /** Every child block with its input shapes (batch 1), in construction order: what initialize() feeds them. */
    private final List<Pair<Block, Shape[]>> childInputs = new ArrayList<>();

    /** A UNet of the given architecture. */
    public UNet(Config config) {
        super(VERSION);
        this.config = Arguments.nonNull("config", config);
        this.time = child("time", new TimeEmbedding(config.base()), new Shape(1));
        this.classEmbedding = config.classes().isPresent()
                ? child("class", Linear.builder().setUnits(time.width()).optBias(false).build(), new Shape(1, config.classes().getAsInt() + 1))
                : null;
        int height = config.height();
        int width = config.width();
        int channels = config.base();
        this.input = child("input", Convolutions.same(channels), new Shape(1, config.channels(), height, width));
        Deque<Integer> skips = new ArrayDeque<>();
        skips.push(channels);
        List<Integer> multipliers = config.multipliers();
        for (int l = 0; l < multipliers.size(); l++) {
            int width_l = config.base() * multipliers.get(l);
            for (int r = 0; r < config.resBlocks(); r++) {
                encoder.add(residual("down" + l + "." + r, channels, width_l, height, width));
                channels = width_l;
                encoderAttention.add(attention("down" + l + "." + r + ".attention", channels, height, width));
                skips.push(channels);
            }
            if (l < multipliers.size() - 1) {
                halving.add(child("down" + l + ".halve", Convolutions.halving(channels), new Shape(1, channels, height, width)));
                height /= 2;
                width /= 2;
                skips.push(channels);
            }
        }
        this.middle1 = residual("middle1", channels, channels, height, width);
        this.middleAttention = child("middle.attention", new SelfAttention(channels, config.groups()), new Shape(1, channels, height, width));
        this.middle2 = residual("middle2", channels, channels, height, width);
        for (int l = multipliers.size() - 1; l >= 0; l--) {
            int width_l = config.base() * multipliers.get(l);
            for (int r = 0; r <= config.resBlocks(); r++) {
                decoder.add(residual("up" + l + "." + r, channels + skips.pop(), width_l, height, width));
                channels = width_l;
                decoderAttention.add(attention("up" + l + "." + r + ".attention", channels, height, width));
            }
            if (l > 0) {
                height *= 2;
                width *= 2;
                doubling.add(child("up" + l + ".double", Convolutions.same(channels), new Shape(1, channels, height, width)));
            }
        }
        this.outputNorm = child("output.norm", new GroupNorm(config.groups(), channels), new Shape(1, channels, height, width));
        this.output = child("output", Convolutions.same(config.outputs()), new Shape(1, channels, height, width));
    }

    private <B extends Block> B child(String name, B block, Shape... inputShapes) {
        childInputs.add(new Pair<>(block, inputShapes));
        return addChildBlock(name, block);
    }

    private ResidualBlock residual(String name, int in, int out, int height, int width) {
        return child(name, new ResidualBlock(in, out, config.groups(), config.dropout()), new Shape(1, in, height, width),
                new Shape(1, 4 * config.base()));
    }

    /** Self-attention when height is an attention resolution, else null (none). */
    private SelfAttention attention(String name, int channels, int height, int width) {
        return config.attentionResolutions().contains(height)
                ? child(name, new SelfAttention(channels, config.groups()), new Shape(1, channels, height, width))
                : null;
    }

    /**
     * The default for the 8x8 digits, sized for two CPU cores: base 16 channels, multipliers (1, 2) (8x8 and 4x4),
     * one residual block per level, self-attention in the 4x4 middle only, no dropout, 4 groups (163985 parameters,
     * a quarter of base 32's, and about a quarter of its time per training step).
     */
    public static UNet forDigits() {
        return new UNet(new Config(1, 8, 8, 1, 16, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
    }

    /**
     * The default for 28x28 Fashion-MNIST, sized for two CPU cores: base 16 channels, multipliers (1, 2, 2) (28, 14
     * and 7 pixels), one residual block per level, self-attention in the 7x7 middle only, no dropout, 4 groups (267
     * thousand parameters).
     */
    public static UNet forFashionMnist() {
        return new UNet(new Config(1, 28, 28, 1, 16, List.of(1, 2, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
    }

    /** The architecture. */
    public Config config() {
        return config;
    }

    /** (C, H, W). */
    @Override
    public Shape sampleShape() {
        return new Shape(config.channels(), config.height(), config.width());
    }

    /** A fresh, uninitialised UNet of the same architecture. */
    @Override
    public UNet sameArchitecture() {
        return new UNet(config);
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
        if (classEmbedding != null) {
            e = e.add(classEmbedding.forward(ps, new NDList(oneHotLabels(inputs, x)), training).head()); // e(tau) + e(y)
        } else if (inputs.size() > 2) {
            throw new IllegalArgumentException("a label was given to an unconditional UNet: build it with Config.withClasses(K)");
        }
        NDArray h = input.forward(ps, new NDList(x), training).head();
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        int levels = config.multipliers().size();
        int block = 0;
        for (int l = 0; l < levels; l++) {
            for (int r = 0; r < config.resBlocks(); r++, block++) {
                h = attend(encoderAttention.get(block), ps, encoder.get(block).forward(ps, new NDList(h, e), training).head(), training);
                skips.push(h);
            }
            if (l < levels - 1) {
                h = halving.get(l).forward(ps, new NDList(h), training).head();
                skips.push(h);
            }
        }
        h = middle1.forward(ps, new NDList(h, e), training).head();
        h = middleAttention.forward(ps, new NDList(h), training).head();
        h = middle2.forward(ps, new NDList(h, e), training).head();
        block = 0;
        for (int l = levels - 1; l >= 0; l--) {
            for (int r = 0; r <= config.resBlocks(); r++, block++) {
                NDArray joined = NDArrays.concat(new NDList(h, skips.pop()), 1); // [h, encoder activation] along channels
                h = attend(decoderAttention.get(block), ps, decoder.get(block).forward(ps, new NDList(joined, e), training).head(), training);
            }
            if (l > 0) {
                NDArray repeated = h.repeat(2, 2).repeat(3, 2); // nearest-neighbour up-sampling, H -> 2 H
                h = doubling.get(levels - 1 - l).forward(ps, new NDList(repeated), training).head();
            }
        }
        h = Silu.apply(outputNorm.forward(ps, new NDList(h), training).head());
        return output.forward(ps, new NDList(h), training);
    }

    private static NDArray attend(SelfAttention attention, ParameterStore ps, NDArray h, boolean training) {
        return attention == null ? h : attention.forward(ps, new NDList(h), training).head();
    }

    /** one-hot(y, K + 1) of the labels y (n,) in 0..K (K = no label), or of y = K for every row when none is given. */
    private NDArray oneHotLabels(NDList inputs, NDArray x) {
        int k = config.classes().getAsInt();
        long n = x.getShape().get(0);
        NDArray labels;
        if (inputs.size() > 2) {
            labels = inputs.get(2);
            if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != n || labels.getDataType().isFloating()) {
                throw new IllegalArgumentException("labels have shape " + labels.getShape() + " and type " + labels.getDataType()
                        + ": expected (" + n + ",) integers in 0.." + k + " (" + k + " = no label)");
            }
        } else {
            labels = x.getManager().full(new Shape(n), k, DataType.INT64).toDevice(x.getDevice(), false);
        }
        return labels.toType(DataType.INT64, false).oneHot(k + 1).toType(x.getDataType(), false);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<Block, Shape[]> child : childInputs) {
            child.getKey().initialize(manager, dataType, child.getValue());
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), config.outputs(), x.get(2), x.get(3))};
    }
}
