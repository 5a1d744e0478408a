package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupNormTest extends ManagedTest {

    private static float[] gaussian(Random random, int size, double mean, double scale) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (mean + scale * random.nextGaussian());
        }
        return values;
    }

    /**
     * The block against the definition evaluated in double precision, loop by loop: per sample and group of C / G
     * channels, mu and the biased sigma^2 over the group's channels and positions, y = gamma_c (x - mu) /
     * sqrt(sigma^2 + eps) + beta_c, with random gamma and beta. x has mean 3 and scale 2 per entry so that
     * centring matters. Tolerance 2e-5: float32 sums of 40 terms of size about 5 carry relative errors of a few 1e-7,
     * and y is of order |gamma| * 3 + |beta| (below 10), so absolute errors stay near 1e-6; 2e-5 leaves a factor 10.
     */
    @Test
    void matchesTheClosedFormPerSampleAndGroup() {
        int n = 3;
        int c = 6;
        int g = 3;
        int h = 4;
        int w = 5;
        Random random = new Random(7);
        float[] x = gaussian(random, n * c * h * w, 3, 2);
        float[] gamma = gaussian(random, c, 1, 0.5);
        float[] beta = gaussian(random, c, 0, 1);
        GroupNorm norm = new GroupNorm(g, c);
        norm.initialize(manager, DataType.FLOAT32, new Shape(n, c, h, w));
        assertEquals(2 * c, norm.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum(), "gamma and beta, C each");
        norm.getParameters().get("gamma").getArray().set(FloatBuffer.wrap(gamma));
        norm.getParameters().get("beta").getArray().set(FloatBuffer.wrap(beta));
        NDArray input = manager.create(x, new Shape(n, c, h, w));
        float[] y = norm.forward(new ParameterStore(manager, false), new NDList(input), false).head().toFloatArray();

        int perGroup = c / g * h * w;
        double largest = 0;
        for (int i = 0; i < n; i++) {
            for (int group = 0; group < g; group++) {
                int start = (i * c + group * c / g) * h * w; // the group's channels are consecutive in (n, C, H, W)
                double mean = 0;
                for (int k = 0; k < perGroup; k++) {
                    mean += x[start + k] / (double) perGroup;
                }
                double variance = 0;
                for (int k = 0; k < perGroup; k++) {
                    variance += (x[start + k] - mean) * (x[start + k] - mean) / perGroup;
                }
                for (int k = 0; k < perGroup; k++) {
                    int channel = group * c / g + k / (h * w);
                    double expected = gamma[channel] * (x[start + k] - mean) / Math.sqrt(variance + GroupNorm.EPSILON) + beta[channel];
                    largest = Math.max(largest, Math.abs(expected - y[start + k]));
                }
            }
        }
        assertTrue(largest < 2e-5, "largest deviation from the closed form " + largest);
    }

    /** One group is layer normalisation over (C, H, W); C groups is instance normalisation: both against the closed form. */
    @Test
    void oneGroupAndOneChannelPerGroupAreTheLimitingCases() {
        Random random = new Random(11);
        float[] x = gaussian(random, 2 * 4 * 9, -1, 3);
        for (int g : new int[] {1, 4}) {
            GroupNorm norm = new GroupNorm(g, 4);
            norm.initialize(manager, DataType.FLOAT32, new Shape(2, 4, 3, 3));
            float[] y = norm.forward(new ParameterStore(manager, false), new NDList(manager.create(x, new Shape(2, 4, 3, 3))), false)
                    .head().toFloatArray();
            int size = 4 / g * 9;
            for (int start = 0; start < x.length; start += size) {
                double mean = 0;
                double square = 0;
                for (int k = 0; k < size; k++) {
                    mean += x[start + k] / (double) size;
                    square += x[start + k] * (double) x[start + k] / size;
                }
                double sd = Math.sqrt(square - mean * mean + GroupNorm.EPSILON);
                for (int k = 0; k < size; k++) {
                    // |y| below 4 here; same float32 argument as above
                    assertEquals((x[start + k] - mean) / sd, y[start + k], 2e-5, "G = " + g + ", entry " + (start + k));
                }
            }
        }
    }

    @Test
    void refusesGroupsThatDoNotDivideTheChannelsAndMismatchedInputs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
        assertEquals("groups = 4 must divide channels = 6", e.getMessage());
        GroupNorm norm = new GroupNorm(2, 4);
        norm.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 2, 2));
        NDArray wrong = manager.zeros(new Shape(1, 3, 2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> norm.forward(new ParameterStore(manager, false), new NDList(wrong), false));
        assertEquals("x has shape (1, 3, 2, 2): expected (n, 4, ...)", e.getMessage());
    }
}
