package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.ManagedTest;
import diffusion.report.Environment;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UNetTest extends ManagedTest {

    private static UNet.Config config(int channels, int size, List<Integer> multipliers) {
        return new UNet.Config(channels, size, size, channels, 8, multipliers, 1, Set.of(), 0, 4, OptionalInt.empty());
    }

    private static NDArray forward(Block network, NDArray... inputs) {
        return network.forward(new ParameterStore(inputs[0].getManager(), false), new NDList(inputs), false).head();
    }

    /** Sets every parameter of block to N(0, scale^2) entries drawn from random. */
    private static void randomise(Block block, Random random, double scale) {
        for (Parameter p : block.getParameters().values()) {
            float[] values = new float[Math.toIntExact(p.getArray().size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (scale * random.nextGaussian());
            }
            p.getArray().set(FloatBuffer.wrap(values));
        }
    }

    /** The parameter `name` of a direct child (DJL prefixes the child's position: "02qkv_weight"). */
    private static NDArray parameter(Block block, String name) {
        List<String> keys = block.getParameters().keys().stream().filter(key -> key.matches("\\d+" + name)).toList();
        assertEquals(1, keys.size(), name + " among " + block.getParameters().keys());
        return block.getParameters().get(keys.get(0)).getArray();
    }

    private static float[] values(Block block, String name) {
        return parameter(block, name).toFloatArray();
    }

    @Test
    void outputShapeEqualsInputShapeForEverySupportedSize() {
        Environment.seed(3);
        List<UNet.Config> configs = List.of(config(1, 8, List.of(1, 2)), config(1, 28, List.of(1, 2, 2)),
                config(3, 32, List.of(1, 2, 2, 2)), config(1, 8, List.of(1, 2)).withOutputs(2).withClasses(10).withDropout(0.1));
        for (UNet.Config c : configs) {
            try (NDManager m = manager.newSubManager()) {
                UNet net = new UNet(c);
                net.initialize(m);
                Shape batch = new Shape(3).addAll(net.sampleShape());
                NDArray out = forward(net, m.randomNormal(batch), m.create(new float[] {1, 50, 999}));
                assertEquals(new Shape(3, c.outputs(), c.height(), c.width()), out.getShape(), c.toString());
                assertTrue(Arguments.allFinite(out), c.toString());
            }
        }
    }

    @Test
    void unsupportedSizesAreRefusedAtConstructionWithTheSizesThatWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UNet(config(1, 7, List.of(1, 2))));
        assertEquals("height = 7, width = 7: with 2 levels (multipliers [1, 2]) the UNet halves the images 1 times, so height "
                + "and width must be positive multiples of 2 (e.g. 8, 28, 32); use fewer levels, or pad or crop the images", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new UNet(config(1, 28, List.of(1, 2, 2, 2))));
        assertTrue(e.getMessage().contains("must be positive multiples of 8 (e.g. 8, 32)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(5), 0, 4, OptionalInt.empty()));
        assertEquals("attentionResolutions = [5]: 5 is no level's height: the levels of 8x8 images are [4, 8]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new UNet.Config(1, 8, 8, 1, 6, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
        assertTrue(e.getMessage().startsWith("groups = 4 must divide every width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 1, 4, OptionalInt.empty()));
        assertEquals("dropout = 1.0 must lie in [0, 1)", e.getMessage());
    }

    @Test
    void aChannelMismatchIsRefusedNamingBothShapes() {
        UNet net = new UNet(config(1, 8, List.of(1, 2)));
        net.initialize(manager);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> forward(net, manager.zeros(new Shape(2, 3, 8, 8)), manager.zeros(new Shape(2))));
        assertEquals("x has shape (2, 3, 8, 8): expected (n, 1, 8, 8) with n >= 1, one sample of shape (1, 8, 8) per row", e.getMessage());
    }

    /** Parameters of a 3x3 (k = 3) or 1x1 convolution from i to o channels, a linear map, a group normalisation. */
    static long conv(int k, int i, int o) {
        return (long) k * k * i * o + o;
    }

    static long linear(int i, int o) {
        return (long) i * o + o;
    }

    static long norm(int c) {
        return 2L * c;
    }

    static long residual(int i, int o, int e) {
        return norm(i) + conv(3, i, o) + linear(e, o) + norm(o) + conv(3, o, o) + (i == o ? 0 : conv(1, i, o));
    }

    private static long attention(int c) {
        return norm(c) + conv(1, c, 3 * c) + conv(1, c, c);
    }

    /**
     * parameterCount() against the architecture written out by hand: base 8 (embedding 32, sinusoid 8), multipliers
     * (1, 2), one residual block per level, attention at 8x8, 10 classes. Skips pushed: input 8, level-0 block 8,
     * halving 8, level-1 block 16; the decoder pops them in reverse.
     */
    @Test
    void parameterCountMatchesTheArchitecture() {
        UNet net = new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(8), 0, 4, OptionalInt.of(10)));
        net.initialize(manager);
        int e = 32;
        long expected = linear(8, e) + linear(e, e) + 11L * e // time MLP, class table (no bias)
                + conv(3, 1, 8) // input
                + residual(8, 8, e) + attention(8) + conv(3, 8, 8) + residual(8, 16, e) // encoder
                + residual(16, 16, e) + attention(16) + residual(16, 16, e) // middle
                + residual(16 + 16, 16, e) + residual(16 + 8, 16, e) + conv(3, 16, 16) // decoder level 1, doubling
                + residual(16 + 8, 8, e) + attention(8) + residual(8 + 8, 8, e) + attention(8) // decoder level 0
                + norm(8) + conv(3, 8, 1); // output
        assertEquals(expected, net.parameterCount());
        UNet digits = UNet.forDigits();
        digits.initialize(manager);
        System.out.println("UNet.forDigits(): " + digits.parameterCount() + " parameters; UNet.forFashionMnist(): "
                + initialised(UNet.forFashionMnist()).parameterCount());
        assertThrows(IllegalStateException.class, () -> UNet.forDigits().parameterCount());
    }

    private static UNet initialised(UNet net) {
        net.initialize(manager);
        return net;
    }

    /**
     * A conditional UNet: no label is the null label K, and a real label changes the output (the class embedding is
     * random at initialisation, so equal outputs would mean the label is ignored); an unconditional one refuses labels.
     */
    @Test
    void labelsEnterTheConditionalNetworkAndNoLabelIsTheNullClass() {
        Environment.seed(5);
        UNet net = new UNet(config(1, 8, List.of(1, 2)).withClasses(10));
        net.initialize(manager);
        NDArray x = manager.randomNormal(new Shape(2, 1, 8, 8));
        NDArray tau = manager.create(new float[] {10, 10});
        float[] none = forward(net, x, tau).toFloatArray();
        assertArrayEquals(none, forward(net, x, tau, manager.create(new int[] {10, 10})).toFloatArray(), "label K = no label");
        float[] labelled = forward(net, x, tau, manager.create(new int[] {3, 7})).toFloatArray();
        double difference = 0;
        for (int i = 0; i < none.length; i++) {
            difference = Math.max(difference, Math.abs(none[i] - labelled[i]));
        }
        assertTrue(difference > 1e-4, "labels change the output by " + difference);
        UNet plain = new UNet(config(1, 8, List.of(1, 2)));
        plain.initialize(manager);
        assertThrows(IllegalArgumentException.class, () -> forward(plain, x, tau, manager.create(new int[] {3, 7})));
    }

    /**
     * SelfAttention against its formula in double precision, with random weights: a = GN(x) (gamma 1, beta 0), per
     * position q, k, v = W a + b, w_ij = softmax_j(q_i . k_j / sqrt(C)), y_i = x_i + P sum_j w_ij v_j + p.
     * Tolerance 1e-5: float32 arithmetic on values of order 1 through four small matrix products (relative 1e-7
     * each) and a softmax; 1e-5 leaves two orders of magnitude and is far below the size of a wrong term.
     */
    @Test
    void selfAttentionMatchesItsFormula() {
        int c = 4;
        int n = 2;
        int positions = 6; // H = 2, W = 3
        SelfAttention block = new SelfAttention(c, 2);
        block.initialize(manager, DataType.FLOAT32, new Shape(n, c, 2, 3));
        Random random = new Random(13);
        randomise(block, random, 0.5);
        parameter(block, "norm_gamma").set(FloatBuffer.wrap(new float[] {1, 1, 1, 1}));
        parameter(block, "norm_beta").set(FloatBuffer.wrap(new float[] {0, 0, 0, 0}));
        float[] x = new float[n * c * positions];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] y = forward(block, manager.create(x, new Shape(n, c, 2, 3))).toFloatArray();
        float[] wqkv = values(block, "qkv_weight");
        float[] bqkv = values(block, "qkv_bias");
        float[] wp = values(block, "projection_weight");
        float[] bp = values(block, "projection_bias");
        for (int s = 0; s < n; s++) {
            double[][] a = new double[c][positions];
            for (int g = 0; g < 2; g++) { // GN over 2 channels x 6 positions per group
                double mean = 0;
                double square = 0;
                for (int ch = 2 * g; ch < 2 * g + 2; ch++) {
                    for (int p = 0; p < positions; p++) {
                        double v = x[(s * c + ch) * positions + p];
                        mean += v / 12;
                        square += v * v / 12;
                    }
                }
                for (int ch = 2 * g; ch < 2 * g + 2; ch++) {
                    for (int p = 0; p < positions; p++) {
                        a[ch][p] = (x[(s * c + ch) * positions + p] - mean) / Math.sqrt(square - mean * mean + GroupNorm.EPSILON);
                    }
                }
            }
            double[][] qkv = new double[3 * c][positions];
            for (int o = 0; o < 3 * c; o++) {
                for (int p = 0; p < positions; p++) {
                    qkv[o][p] = bqkv[o];
                    for (int ch = 0; ch < c; ch++) {
                        qkv[o][p] += wqkv[o * c + ch] * a[ch][p];
                    }
                }
            }
            for (int i = 0; i < positions; i++) {
                double[] w = new double[positions];
                double total = 0;
                for (int j = 0; j < positions; j++) {
                    double dot = 0;
                    for (int ch = 0; ch < c; ch++) {
                        dot += qkv[ch][i] * qkv[c + ch][j];
                    }
                    w[j] = Math.exp(dot / Math.sqrt(c));
                    total += w[j];
                }
                double[] attended = new double[c];
                for (int ch = 0; ch < c; ch++) {
                    for (int j = 0; j < positions; j++) {
                        attended[ch] += w[j] / total * qkv[2 * c + ch][j];
                    }
                }
                for (int o = 0; o < c; o++) {
                    double expected = x[(s * c + o) * positions + i] + bp[o];
                    for (int ch = 0; ch < c; ch++) {
                        expected += wp[o * c + ch] * attended[ch];
                    }
                    assertEquals(expected, y[(s * c + o) * positions + i], 1e-5, "sample " + s + ", channel " + o + ", position " + i);
                }
            }
        }
    }

    /**
     * The residual structure: with the last convolution zeroed the block is its skip path, exactly x when the channel
     * counts agree and the 1x1 convolution W x + b (checked entry by entry, tolerance 1e-5 as above) when they differ.
     */
    @Test
    void aResidualBlockWithItsLastConvolutionZeroedIsItsSkipPath() {
        Random random = new Random(17);
        float[] x = new float[2 * 4 * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        NDArray input = manager.create(x, new Shape(2, 4, 3, 3));
        NDArray e = manager.randomNormal(new Shape(2, 12));
        for (int out : new int[] {4, 6}) {
            ResidualBlock block = new ResidualBlock(4, out, 2, 0);
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 4, 3, 3), new Shape(2, 12));
            randomise(block, random, 0.5);
            parameter(block, "conv2_weight").set(FloatBuffer.wrap(new float[out * out * 9]));
            parameter(block, "conv2_bias").set(FloatBuffer.wrap(new float[out]));
            float[] y = forward(block, input, e).toFloatArray();
            if (out == 4) {
                assertArrayEquals(x, y, "identity skip");
            } else {
                float[] w = values(block, "skip_weight");
                float[] b = values(block, "skip_bias");
                for (int s = 0; s < 2; s++) {
                    for (int o = 0; o < out; o++) {
                        for (int p = 0; p < 9; p++) {
                            double expected = b[o];
                            for (int ch = 0; ch < 4; ch++) {
                                expected += w[o * 4 + ch] * x[(s * 4 + ch) * 9 + p];
                            }
                            assertEquals(expected, y[(s * out + o) * 9 + p], 1e-5);
                        }
                    }
                }
            }
        }
    }
}
