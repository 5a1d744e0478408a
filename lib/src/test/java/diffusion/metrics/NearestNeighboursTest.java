package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest extends ManagedTest {

    /**
     * Against a brute-force search in double precision over 200 training images (1, 4, 4): copies of training rows
     * are found at distance 0 with their own index; for fresh samples the returned index is the brute-force nearest
     * and the distance matches to 1e-5 relative (the direct float32 recomputation); every batch size agrees bitwise.
     * Nothing is left behind in the manager.
     */
    @Test
    void matchesABruteForceSearch() {
        try (NDManager m = manager.newSubManager()) {
            Random random = new Random(4);
            float[] training = gaussian(random, 200 * 16);
            float[] samples = gaussian(random, 30 * 16);
            for (int copy = 0; copy < 5; copy++) {
                System.arraycopy(training, 16 * (7 * copy + 3), samples, 16 * copy, 16); // samples 0-4 copy rows 3, 10, ...
            }
            NDArray t = m.create(training, new Shape(200, 1, 4, 4));
            NDArray x = m.create(samples, new Shape(30, 1, 4, 4));
            NearestNeighbours.Result result = NearestNeighbours.of(x, t, 8);
            for (int i = 0; i < 30; i++) {
                int best = 0;
                double bestDistance = Double.POSITIVE_INFINITY;
                for (int j = 0; j < 200; j++) {
                    double squares = 0;
                    for (int k = 0; k < 16; k++) {
                        double diff = (double) samples[16 * i + k] - training[16 * j + k];
                        squares += diff * diff;
                    }
                    if (squares < bestDistance * bestDistance) {
                        best = j;
                        bestDistance = Math.sqrt(squares);
                    }
                }
                assertEquals(best, result.index()[i], "sample " + i);
                assertEquals(bestDistance, result.distance()[i], 1e-5 * bestDistance, "sample " + i);
                if (i < 5) {
                    assertEquals(7 * i + 3, result.index()[i]);
                    assertEquals(0, result.distance()[i], 0.0, "a copy is at distance 0");
                }
            }
            for (int batch : new int[] {1, 30, 1000}) {
                NearestNeighbours.Result other = NearestNeighbours.of(x, t, batch);
                assertArrayEquals(result.index(), other.index(), "batch " + batch);
                assertArrayEquals(result.distance(), other.distance(), 0.0, "batch " + batch);
            }
            assertEquals(2, m.getManagedArrays().size());
        }
    }

    /** Samples and training data of different per-sample shapes, or a batch size below 1, are refused. */
    @Test
    void badInputIsRefused() {
        NDArray t = manager.zeros(new Shape(5, 1, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> NearestNeighbours.of(manager.zeros(new Shape(2, 1, 8, 8)), t, 4));
        assertThrows(IllegalArgumentException.class, () -> NearestNeighbours.of(manager.zeros(new Shape(2, 1, 4, 4)), t, 0));
        assertThrows(IllegalArgumentException.class,
                () -> NearestNeighbours.of(manager.zeros(new Shape(2, 1, 4, 4)).toType(DataType.INT32, false), t, 1));
    }

    private static float[] gaussian(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
