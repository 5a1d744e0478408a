package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

class ImageDefectsTest {

    /** A unit impulse at (row, column) of a 1 x 1 x 5 x 5 image, blurred with mix 1: the box mean seen by each pixel. */
    private static float[] blurredImpulse(NDManager manager, int row, int column) {
        float[] v = new float[25];
        v[row * 5 + column] = 1;
        return ImageDefects.blurred(manager.create(v, new Shape(1, 1, 5, 5)), 1).toFloatArray();
    }

    @Test
    void theBoxMeanCountsOnlyTheNeighboursInsideTheImage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] inside = blurredImpulse(manager, 2, 2);
            assertEquals(1 / 9f, inside[2 * 5 + 2], 1e-7f); // its own 9-pixel box
            assertEquals(1 / 9f, inside[1 * 5 + 1], 1e-7f); // a diagonal neighbour, also inside
            assertEquals(0f, inside[0], 0f); // two rows away
            float[] corner = blurredImpulse(manager, 0, 0);
            assertEquals(1 / 4f, corner[0], 1e-7f); // the corner's box has 4 pixels
            assertEquals(1 / 6f, corner[1], 1e-7f); // an edge pixel's box has 6
            assertEquals(1 / 9f, corner[5 + 1], 1e-7f); // an inner pixel's box has 9
        }
    }

    @Test
    void mixInterpolatesBetweenTheImageAndItsBoxMeanPerChannel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray constant = manager.full(new Shape(2, 3, 4, 4), 0.7f);
            assertArrayEquals(constant.toFloatArray(), ImageDefects.blurred(constant, 0.5).toFloatArray(), 1e-6f); // a constant is its own mean
            NDArray x = manager.randomUniform(-1, 1, new Shape(2, 3, 4, 4));
            float[] half = ImageDefects.blurred(x, 0.5).toFloatArray(), full = ImageDefects.blurred(x, 1).toFloatArray(), v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(0.5f * v[i] + 0.5f * full[i], half[i], 1e-6f);
            }
            assertArrayEquals(v, ImageDefects.blurred(x, 0).toFloatArray(), 0f);
            // channels do not mix: blurring channel 1 alone gives the same plane
            NDArray one = x.get(":, 1:2, :, :");
            assertArrayEquals(ImageDefects.blurred(one, 1).toFloatArray(), ImageDefects.blurred(x, 1).get(":, 1:2, :, :").toFloatArray(), 1e-7f);
        }
    }

    @Test
    void noiseHasTheStatedStandardDeviation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Environment.seed(3);
            NDArray x = manager.zeros(new Shape(100, 1, 10, 10));
            float[] e = ImageDefects.noisy(x, 0.25).toFloatArray();
            double s2 = 0;
            for (float f : e) {
                s2 += f * f;
            }
            // 10^4 draws: the sample sd of a normal has relative SE 1 / sqrt(2 n) = 0.7%; 4% is > 5 SE and far below a wrong sigma
            assertEquals(0.25, Math.sqrt(s2 / e.length), 0.01);
        }
    }

    @Test
    void refusesWhatIsNotAnImageBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> ImageDefects.blurred(manager.zeros(new Shape(4, 8)), 0.5));
            assertThrows(IllegalArgumentException.class, () -> ImageDefects.blurred(manager.zeros(new Shape(1, 1, 4, 4)), 1.5));
            assertThrows(IllegalArgumentException.class, () -> ImageDefects.noisy(manager.zeros(new Shape(1, 1, 4, 4)), -1));
            assertThrows(IllegalArgumentException.class, () -> ImageDefects.blurred(manager.create(new float[] {Float.NaN}, new Shape(1, 1, 1, 1)), 0.5));
        }
    }
}
