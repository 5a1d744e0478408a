package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Quiver plots of 2D vector fields (score fields) on XChart, which has none: each arrow from p to p + scale v is a
 * shaft and two head strokes at +-{@value #HEAD_DEGREES} degrees, drawn as line segments of one series separated by
 * NaN gaps, so a field is one series with one legend entry.
 */
public final class Quiver {

    /** Length of a head stroke as a fraction of its arrow. */
    public static final double HEAD_FRACTION = 0.3;

    /** Angle between a head stroke and the reversed shaft. */
    public static final double HEAD_DEGREES = 25;

    private Quiver() {}

    /** The k x k grid points of [min, max]^2, row by row, as shape (k^2, 2) in float32. */
    public static NDArray grid(NDManager manager, double min, double max, int k) {
        if (k < 2 || !(max > min)) {
            throw new IllegalArgumentException("k = " + k + ", [min, max] = [" + min + ", " + max + "]: need k >= 2 and max > min");
        }
        float[] points = new float[2 * k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                points[2 * (i * k + j)] = (float) (min + (max - min) * j / (k - 1));
                points[2 * (i * k + j) + 1] = (float) (min + (max - min) * i / (k - 1));
            }
        }
        return manager.create(points, new Shape((long) k * k, 2));
    }

    /** An empty chart for arrows, with axes x1, x2 and scatter-sized markers (for data drawn underneath). */
    public static XYChart chart(String title) {
        XYChart chart = Figures.lines(title, "x1", "x2");
        chart.getStyler().setMarkerSize(Figures.SCATTER_MARKER_SIZE);
        return chart;
    }

    /** Adds the arrows p_i -&gt; p_i + scale v_i for points and vectors of shape (n, 2) as one series; returns chart. */
    public static XYChart addArrows(XYChart chart, String series, NDArray points, NDArray vectors, double scale) {
        long[] shape = points.getShape().getShape();
        if (shape.length != 2 || shape[1] != 2 || shape[0] < 1 || !points.getShape().equals(vectors.getShape())) {
            throw new IllegalArgumentException("points has shape " + points.getShape() + " and vectors " + vectors.getShape()
                    + "; expected equal shapes (n, 2) with n >= 1");
        }
        double[] p = points.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] v = vectors.toType(DataType.FLOAT64, false).toDoubleArray();
        int n = p.length / 2;
        double[] x = new double[9 * n];
        double[] y = new double[9 * n];
        double cos = Math.cos(Math.toRadians(HEAD_DEGREES));
        double sin = Math.sin(Math.toRadians(HEAD_DEGREES));
        for (int i = 0; i < n; i++) {
            double x0 = p[2 * i];
            double y0 = p[2 * i + 1];
            double dx = scale * v[2 * i];
            double dy = scale * v[2 * i + 1];
            double bx = -HEAD_FRACTION * dx; // the reversed shaft, shortened: rotated by +-angle for the head strokes
            double by = -HEAD_FRACTION * dy;
            double[] xs = {x0, x0 + dx, Double.NaN, x0 + dx, x0 + dx + cos * bx - sin * by, Double.NaN,
                    x0 + dx, x0 + dx + cos * bx + sin * by, Double.NaN};
            double[] ys = {y0, y0 + dy, Double.NaN, y0 + dy, y0 + dy + sin * bx + cos * by, Double.NaN,
                    y0 + dy, y0 + dy - sin * bx + cos * by, Double.NaN};
            System.arraycopy(xs, 0, x, 9 * i, 9);
            System.arraycopy(ys, 0, y, 9 * i, 9);
        }
        XYSeries arrows = chart.addSeries(series, x, y);
        arrows.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        arrows.setMarker(SeriesMarkers.NONE);
        return chart;
    }
}
