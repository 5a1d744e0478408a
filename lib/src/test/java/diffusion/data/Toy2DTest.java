package diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import org.junit.jupiter.api.Test;

class Toy2DTest extends ManagedTest {

    @Test
    void everySetIsSeededAndStandardisedToMeanZeroVarianceOne() {
        int n = 40_000;
        for (String name : Toy2D.NAMES) {
            DataSource source = Toy2D.byName(name);
            assertEquals(name, source.name());
            assertEquals(2, source.dim());
            float[] first = source.sample(manager, n, 11).toFloatArray();
            assertArrayEquals(first, source.sample(manager, n, 11).toFloatArray(), name + " seeded");
            assertEquals(DataType.FLOAT32, source.sample(manager, 3, 0).getDataType());
            assertEquals(new Shape(3, 2), source.sample(manager, 3, 0).getShape());
            for (int j = 0; j < 2; j++) {
                double sum = 0;
                double sumSquares = 0;
                for (int i = 0; i < n; i++) {
                    sum += first[2 * i + j];
                    sumSquares += first[2 * i + j] * first[2 * i + j];
                }
                double mean = sum / n;
                // Unit variance: SE(mean) = 1/sqrt(n) = 0.005; SE(variance) = sqrt((m4 - 1)/n) < 0.01 for these light tails.
                assertEquals(0, mean, 0.025, name + " mean of coordinate " + j);
                assertEquals(1, sumSquares / n - mean * mean, 0.05, name + " variance of coordinate " + j);
            }
        }
    }

    @Test
    void eightGaussiansHaveExactUnitVariance() {
        assertArrayEquals(new double[] {0, 0}, Toy2D.eightGaussians().mean(), 1e-12);
        assertArrayEquals(new double[] {1, 1}, Toy2D.eightGaussians().variance(), 1e-12);
    }

    @Test
    void checkerboardPointsLieOnCellsWithEvenIndexSum() {
        float[] points = Toy2D.checkerboard().sample(manager, 5000, 5).toFloatArray();
        double rawScale = Math.sqrt(4.0 / 3.0);
        for (int i = 0; i < points.length; i += 2) {
            int column = (int) Math.floor(points[i] * rawScale + 2);
            int row = (int) Math.floor(points[i + 1] * rawScale + 2);
            assertTrue(column >= 0 && column < 4 && row >= 0 && row < 4, "inside [-2, 2]^2");
            assertEquals(0, (column + row) % 2, "cell (" + column + ", " + row + ")");
        }
    }

    @Test
    void ringsWithoutNoiseLieOnThreeCircles() {
        float[] points = Toy2D.rings(0).sample(manager, 3000, 6).toFloatArray();
        double scale = Math.sqrt(14.0 / 6.0); // Var = E[r^2]/2 = (1 + 4 + 9)/6
        for (int i = 0; i < points.length; i += 2) {
            double radius = Math.hypot(points[i], points[i + 1]) * scale;
            assertEquals(Math.rint(radius), radius, 1e-5);
        }
    }

    @Test
    void unknownNamesAndNegativeNoiseAreRejected() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Toy2D.byName("moons"));
        assertTrue(unknown.getMessage().contains("\"moons\"") && unknown.getMessage().contains("two_moons"), unknown.getMessage());
        IllegalArgumentException noise = assertThrows(IllegalArgumentException.class, () -> Toy2D.twoMoons(-0.1));
        assertTrue(noise.getMessage().contains("noise = -0.1"), noise.getMessage());
    }
}
