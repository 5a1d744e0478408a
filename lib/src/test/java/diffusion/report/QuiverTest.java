package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class QuiverTest {

    /** The grid covers [min, max]^2 row by row: k^2 points, corners included. */
    @Test
    void theGridSpansTheSquare() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] grid = Quiver.grid(m, -1, 1, 3).toFloatArray();
            assertEquals(18, grid.length);
            assertArrayEquals(new float[] {-1, -1}, new float[] {grid[0], grid[1]});
            assertArrayEquals(new float[] {1, 1}, new float[] {grid[16], grid[17]});
            assertArrayEquals(new float[] {0, -1}, new float[] {grid[2], grid[3]});
        }
    }

    /**
     * Each arrow is a shaft from p to p + scale v and two head strokes of length HEAD_FRACTION |scale v| starting at
     * the tip, all in one series separated by NaN gaps; the chart renders.
     */
    @Test
    void arrowsAreShaftsWithTwoHeadStrokes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray points = m.create(new float[] {1, 2}, new ai.djl.ndarray.types.Shape(1, 2));
            NDArray vectors = m.create(new float[] {3, 0}, new ai.djl.ndarray.types.Shape(1, 2));
            XYChart chart = Quiver.addArrows(Quiver.chart("field"), "v", points, vectors, 0.5);
            XYSeries series = chart.getSeriesMap().get("v");
            double[] x = series.getXData();
            double[] y = series.getYData();
            assertEquals(1, x[0], 0);
            assertEquals(2.5, x[1], 1e-12);
            assertEquals(2, y[1], 1e-12);
            assertTrue(Double.isNaN(x[2]));
            for (int head : new int[] {4, 7}) {
                double length = Math.hypot(x[head] - x[1], y[head] - y[1]);
                assertEquals(Quiver.HEAD_FRACTION * 1.5, length, 1e-12);
                assertTrue(x[head] < x[1], "head strokes point back along the shaft");
            }
            assertEquals(y[4] - y[1], -(y[7] - y[1]), 1e-12);
            BufferedImage image = Figures.grid(1, chart);
            assertEquals(Figures.WIDTH, image.getWidth());
        }
    }

    @Test
    void mismatchedShapesAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> Quiver.addArrows(Quiver.chart("x"), "v", Quiver.grid(m, 0, 1, 2), Quiver.grid(m, 0, 1, 3), 1));
            assertThrows(IllegalArgumentException.class, () -> Quiver.grid(m, 0, 1, 1));
        }
    }
}
