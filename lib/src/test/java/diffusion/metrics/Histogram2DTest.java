package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import org.junit.jupiter.api.Test;

class Histogram2DTest {

    @Test
    void countsFillTheGridRowMajorWithOneOverflowCell() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 x 2 grid on [0, 2)^2: (0.5, 0.5) -> cell 0, (0.5, 1.5) -> 1, (1.5, 0.5) -> 2, outside -> 4
            NDArray x = m.create(new float[][] {{0.5f, 0.5f}, {0.5f, 1.5f}, {1.5f, 0.5f}, {1.5f, 0.5f}, {2.5f, 0}, {-1, 1}});
            assertArrayEquals(new long[] {1, 1, 2, 0, 2}, Histogram2D.counts(x, 0, 2, 2));
        }
    }

    @Test
    void distancesOfASampleToItselfAreZeroAndOfDisjointSamplesMaximal() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Toy2D.eightGaussians().sample(m, 1000, 1);
            assertEquals(0, Histogram2D.totalVariation(x, x, -3, 3, 20));
            assertEquals(0, Histogram2D.kl(x, x, -3, 3, 20), 1e-15);
            NDArray left = m.zeros(new Shape(100, 2)).add(m.create(new float[] {0.5f, 0.5f}));
            NDArray right = m.zeros(new Shape(50, 2)).add(m.create(new float[] {1.5f, 1.5f}));
            assertEquals(1, Histogram2D.totalVariation(left, right, 0, 2, 2), 1e-12);
            // KT estimates over C = 5 cells: p~ = (100.5, 0.5, 0.5, 0.5, 0.5) / 102.5, q~ = (0.5, 0.5, 0.5, 50.5, 0.5) / 52.5
            double[] p = {100.5 / 102.5, 0.5 / 102.5, 0.5 / 102.5, 0.5 / 102.5, 0.5 / 102.5};
            double[] q = {0.5 / 52.5, 0.5 / 52.5, 0.5 / 52.5, 50.5 / 52.5, 0.5 / 52.5};
            double expected = 0;
            for (int c = 0; c < 5; c++) {
                expected += p[c] * Math.log(p[c] / q[c]);
            }
            assertEquals(expected, Histogram2D.kl(left, right, 0, 2, 2), 1e-12);
        }
    }

    /** Two samples of one law drift together as n grows (TV and KL fall), and stay far from a different law. */
    @Test
    void distancesShrinkForOneLawAndNotForTwo() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixture wider = data.diffuse(1.3, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            double smallTv = Histogram2D.totalVariation(data.sample(m, 1000, 1), data.sample(m, 1000, 2), -3, 3, 20);
            double largeTv = Histogram2D.totalVariation(data.sample(m, 50_000, 3), data.sample(m, 50_000, 4), -3, 3, 20);
            double smallKl = Histogram2D.kl(data.sample(m, 1000, 1), data.sample(m, 1000, 2), -3, 3, 20);
            double largeKl = Histogram2D.kl(data.sample(m, 50_000, 3), data.sample(m, 50_000, 4), -3, 3, 20);
            double otherTv = Histogram2D.totalVariation(data.sample(m, 50_000, 5), wider.sample(m, 50_000, 6), -3, 3, 20);
            assertTrue(largeTv < smallTv / 3, "TV " + smallTv + " -> " + largeTv);
            assertTrue(largeKl < smallKl / 10, "KL " + smallKl + " -> " + largeKl);
            assertTrue(otherTv > 10 * largeTv, "a different law: TV " + otherTv);
        }
    }

    @Test
    void badInputIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(4, 2));
            assertThrows(IllegalArgumentException.class, () -> Histogram2D.counts(x, 1, 1, 10));
            assertThrows(IllegalArgumentException.class, () -> Histogram2D.counts(x, 0, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> Histogram2D.counts(m.zeros(new Shape(4, 3)), 0, 1, 4));
            assertThrows(IllegalArgumentException.class, () -> Histogram2D.kl(x, x, Double.NaN, 1, 4));
        }
    }
}
