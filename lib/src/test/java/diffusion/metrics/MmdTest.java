package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class MmdTest extends ManagedTest {
    private static final GaussianMixture STANDARD = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1});
    private static final GaussianMixture SHIFTED = GaussianMixture.gaussian(new double[] {0.5, 0}, new double[] {1, 1});

    /** MMD^2_u from its definition with an explicit double-precision n x m kernel matrix. */
    private static double directMmd(float[] x, float[] y, int dim, double bandwidth) {
        int n = x.length / dim;
        int m = y.length / dim;
        return (kernelSum(x, x, dim, bandwidth, true) / (n * (n - 1.0)))
                + (kernelSum(y, y, dim, bandwidth, true) / (m * (m - 1.0)))
                - 2 * kernelSum(x, y, dim, bandwidth, false) / ((double) n * m);
    }

    private static double kernelSum(float[] a, float[] b, int dim, double bandwidth, boolean skipDiagonal) {
        double sum = 0;
        for (int i = 0; i < a.length / dim; i++) {
            for (int j = 0; j < b.length / dim; j++) {
                if (skipDiagonal && i == j) {
                    continue;
                }
                double squared = 0;
                for (int k = 0; k < dim; k++) {
                    double delta = a[i * dim + k] - b[j * dim + k];
                    squared += delta * delta;
                }
                sum += Math.exp(-squared / (2 * bandwidth * bandwidth));
            }
        }
        return sum;
    }

    @Test
    void blockwiseSumsEqualTheDirectKernelMatrix() {
        GaussianMixture law = GaussianMixture.gaussian(new double[] {3, -1, 2}, new double[] {1, 2, 0.5});
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = law.sample(scope, 50, 1);
            NDArray y = law.diffuse(1, 0.7).sample(scope, 37, 2);
            double expected = directMmd(x.toFloatArray(), y.toFloatArray(), 3, 1.3);
            for (int blockRows : new int[] {7, 50, 1000}) {
                assertEquals(expected, Mmd.rbf(x, y, 1.3, blockRows), 2e-6, "blockRows " + blockRows);
            }
        }
    }

    @Test
    void isSymmetric() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = STANDARD.sample(scope, 400, 3);
            NDArray y = SHIFTED.sample(scope, 300, 4);
            assertEquals(Mmd.medianBandwidth(x, y), Mmd.medianBandwidth(y, x), 0);
            // Equal up to float32 summation order, far below the null standard error (about 1e-3 here).
            assertEquals(Mmd.rbf(x, y), Mmd.rbf(y, x), 1e-6);
        }
    }

    @Test
    void sameLawIsNearZeroWhileDifferentLawsAreClearlySeparated() {
        int replicates = 20;
        int n = 300;
        double[] same = new double[replicates];
        double[] different = new double[replicates];
        try (NDManager scope = manager.newSubManager()) {
            for (int r = 0; r < replicates; r++) {
                NDArray x = STANDARD.sample(scope, n, 100 + r);
                same[r] = Mmd.rbf(x, STANDARD.sample(scope, n, 200 + r));
                different[r] = Mmd.rbf(x, SHIFTED.sample(scope, n, 200 + r));
            }
        }
        double sameMean = mean(same);
        double sameStandardError = Math.sqrt(variance(same, sameMean) / replicates);
        double sameSpread = Math.sqrt(variance(same, sameMean));
        // Unbiased: E[MMD^2_u] = 0 under equal laws, so the replicate mean is within 4 standard errors of 0.
        assertEquals(0, sameMean, 4 * sameStandardError);
        // A shift of half a standard deviation puts every replicate far outside the null spread.
        for (double value : different) {
            assertTrue(value > sameMean + 5 * sameSpread, value + " vs null spread " + sameSpread);
        }
    }

    @Test
    void medianHeuristicOnHandExampleAndOnLargeGaussianSamples() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(new float[] {0, 0, 3, 0}, new Shape(2, 2));
            NDArray y = scope.create(new float[] {0, 4, 3, 4}, new Shape(2, 2));
            // pairwise distances 3, 4, 5, 5, 4, 3: median 4
            assertEquals(4, Mmd.medianBandwidth(x, y), 1e-12);
            // z - z' ~ N(0, 2 I_2), so ||z - z'|| is Rayleigh(sqrt 2) with median sqrt(2) sqrt(2 ln 2) = 1.6651;
            // the 1000-point subsample gives a median within about 0.01 (one SE), checked to 0.05.
            NDArray big = STANDARD.sample(scope, 3000, 5);
            NDArray other = STANDARD.sample(scope, 2000, 6);
            double bandwidth = Mmd.medianBandwidth(big, other);
            assertEquals(Math.sqrt(2) * Math.sqrt(2 * Math.log(2)), bandwidth, 0.05);
            assertEquals(bandwidth, Mmd.medianBandwidth(big, other), 0, "fixed-seed subsample");
        }
    }

    @Test
    void tenThousandAgainstTenThousandRunsInBlocks() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = STANDARD.sample(scope, 10_000, 7);
            NDArray y = STANDARD.sample(scope, 10_000, 8);
            // in blocks, so that no 10^4 x 10^4 kernel matrix is held at once (a wall-clock bound here failed on a loaded
            // machine without saying anything about the code); the null SE at n = 10^4 is of order 1e-4
            assertEquals(0, Mmd.rbf(x, y), 1e-3);
        }
    }

    @Test
    void comparingAnArrayWithItselfLeavesItWithItsManager() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = STANDARD.sample(scope, 50, 9);
            float[] before = x.toFloatArray();
            Mmd.rbf(x, x, 1.0);
            assertEquals(0, SlicedWasserstein.distance(x, x, 5, 1), 0);
            assertTrue(scope == x.getManager() && !x.isReleased());
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, x.toFloatArray());
        }
    }

    @Test
    void badInputIsRejected() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.zeros(new Shape(5, 2));
            IllegalArgumentException dims = assertThrows(IllegalArgumentException.class, () -> Mmd.rbf(x, scope.zeros(new Shape(5, 3)), 1));
            assertTrue(dims.getMessage().contains("(5, 3)"), dims.getMessage());
            IllegalArgumentException rows = assertThrows(IllegalArgumentException.class, () -> Mmd.rbf(x, scope.zeros(new Shape(1, 2)), 1));
            assertTrue(rows.getMessage().contains("n >= 2"), rows.getMessage());
            IllegalArgumentException bandwidth = assertThrows(IllegalArgumentException.class, () -> Mmd.rbf(x, x, 0));
            assertTrue(bandwidth.getMessage().contains("bandwidth = 0.0"), bandwidth.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Mmd.medianBandwidth(x, x), "all points coincide");
        }
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    private static double variance(double[] values, double mean) {
        double sum = 0;
        for (double value : values) {
            sum += (value - mean) * (value - mean);
        }
        return sum / (values.length - 1);
    }
}
