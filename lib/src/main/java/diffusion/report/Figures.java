package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * XChart helpers for notebooks: scatter plots of 2D samples, line plots, grids, and saving to
 * results/figures as PNG, plus SVG for figures of at most SVG_POINT_LIMIT points (an SVG of a 10,000-point scatter
 * runs to megabytes and shows nothing the PNG does not). Everything renders headless (java.awt.headless=true).
 */
public final class Figures {

    /** Width of a single chart in pixels. */
    public static final int WIDTH = 480;

    /** Height of a single chart in pixels. */
    public static final int HEIGHT = 400;

    /** Marker diameter for scatter plots, small enough for thousands of points. */
    public static final int SCATTER_MARKER_SIZE = 3;

    /** Opacity (0-255) of scatter markers, so overlapping clouds stay readable. */
    public static final int SCATTER_ALPHA = 110;

    /** The most data points (over all series of all charts) a figure may have to be saved as SVG as well as PNG. */
    public static final int SVG_POINT_LIMIT = 5000;

    /** The largest SVG kept beside the PNG, in bytes: a bigger one (dense grids, long curves) is left out, PNG only. */
    public static final int SVG_BYTE_LIMIT = 512 * 1024;

    private Figures() {}

    /** A square-ish scatter chart of the 2D points (n, 2), as one series named seriesName. */
    public static XYChart scatter(String title, String seriesName, NDArray points) {
        XYChart chart = chart(title, "x1", "x2", XYSeries.XYSeriesRenderStyle.Scatter, WIDTH, HEIGHT);
        chart.getStyler().setMarkerSize(SCATTER_MARKER_SIZE);
        return addScatter(chart, seriesName, points);
    }

    /** Adds the 2D points (n, 2) to chart as a scatter series of small translucent circles; returns chart. */
    public static XYChart addScatter(XYChart chart, String seriesName, NDArray points) {
        long[] shape = points.getShape().getShape();
        if (shape.length != 2 || shape[1] != 2 || shape[0] < 1) {
            throw new IllegalArgumentException("points has shape " + points.getShape() + "; expected (n, 2) with n >= 1");
        }
        double[] flat = points.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] x = new double[flat.length / 2];
        double[] y = new double[flat.length / 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = flat[2 * i];
            y[i] = flat[2 * i + 1];
        }
        Color[] palette = chart.getStyler().getSeriesColors();
        Color base = palette[chart.getSeriesMap().size() % palette.length];
        XYSeries series = chart.addSeries(seriesName, x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setMarkerColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), SCATTER_ALPHA));
        return chart;
    }

    /** An empty line chart with the given title and axis labels; add curves with {@link #addLine}. */
    public static XYChart lines(String title, String xLabel, String yLabel) {
        return chart(title, xLabel, yLabel, XYSeries.XYSeriesRenderStyle.Line, WIDTH, HEIGHT);
    }

    /** As lines(title, xLabel, yLabel), width x height pixels (room for many curves and their legend). */
    public static XYChart lines(String title, String xLabel, String yLabel, int width, int height) {
        return chart(title, xLabel, yLabel, XYSeries.XYSeriesRenderStyle.Line, Arguments.atLeast("width", width, 1), Arguments.atLeast("height", height, 1));
    }

    /** Adds the curve (x_i, y_i) without markers to chart; x and y have equal length &gt;= 1; returns chart. */
    public static XYChart addLine(XYChart chart, String series, double[] x, double[] y) {
        if (x.length != y.length || x.length < 1) {
            throw new IllegalArgumentException("x and y have lengths " + x.length + " and " + y.length
                    + "; they must be equal and >= 1");
        }
        chart.addSeries(series, x, y).setMarker(SeriesMarkers.NONE);
        return chart;
    }

    /**
     * Adds the curve (x_i, y_i) with markers and error bars y_i +- errors_i (e.g. one standard error over seeds); the
     * three arrays have equal length &gt;= 1 and errors are finite and &gt;= 0; returns chart.
     */
    public static XYChart addLine(XYChart chart, String series, double[] x, double[] y, double[] errors) {
        if (x.length != y.length || x.length != errors.length || x.length < 1) {
            throw new IllegalArgumentException("x, y and errors have lengths " + x.length + ", " + y.length + " and " + errors.length
                    + "; they must be equal and >= 1");
        }
        for (double e : errors) {
            if (!(e >= 0) || Double.isInfinite(e)) {
                throw new IllegalArgumentException("error bar " + e + ": error bars must be finite and >= 0");
            }
        }
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.addSeries(series, x, y, errors);
        return chart;
    }

    /** Switches chart's y axis to a log scale (all y values must then be &gt; 0); returns chart. */
    public static XYChart logY(XYChart chart) {
        chart.getStyler().setYAxisLogarithmic(true);
        return chart;
    }

    /** The charts painted row by row into a grid with the given number of columns, each cell as large as the largest chart. */
    public static BufferedImage grid(int columns, Chart<?, ?>... charts) {
        Layout layout = new Layout(columns, charts);
        BufferedImage image = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, layout.width(), layout.height());
        layout.paint(graphics);
        graphics.dispose();
        return image;
    }

    /** Writes results/figures/NAME.png, and NAME.svg up to SVG_POINT_LIMIT points and SVG_BYTE_LIMIT bytes, of chart; returns the image. */
    public static BufferedImage save(String name, Chart<?, ?> chart) {
        return saveGrid(name, 1, chart);
    }

    /**
     * Writes results/figures/NAME.png of {@link #grid}(columns, charts), and NAME.svg when the charts hold at most
     * SVG_POINT_LIMIT points and the document has at most SVG_BYTE_LIMIT bytes (otherwise an SVG left by an earlier run
     * is removed); returns the image.
     */
    public static BufferedImage saveGrid(String name, int columns, Chart<?, ?>... charts) {
        Layout layout = new Layout(columns, charts);
        BufferedImage image = grid(columns, charts);
        writePng(Results.file(Results.figures(), name, "png"), image);
        Path svg = Results.file(Results.figures(), name, "svg");
        byte[] document = points(charts) > SVG_POINT_LIMIT ? null : svgDocument(layout);
        if (document == null || document.length > SVG_BYTE_LIMIT) {
            try {
                Files.deleteIfExists(svg);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the stale " + svg, e);
            }
            return image;
        }
        AtomicFile.write(svg, out -> out.write(document));
        return image;
    }

    /** The SVG document of the laid-out charts. */
    private static byte[] svgDocument(Layout layout) {
        VectorGraphics2D vector = new VectorGraphics2D();
        layout.paint(vector);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(vector.getCommands(), new PageSize(0, 0, layout.width(), layout.height())).writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the SVG", e);
        }
        return bytes.toByteArray();
    }

    /** The number of data points over all series of the XY charts among charts. */
    private static long points(Chart<?, ?>... charts) {
        long points = 0;
        for (Chart<?, ?> chart : charts) {
            if (chart instanceof XYChart xy) {
                for (XYSeries series : xy.getSeriesMap().values()) {
                    points += series.getXData().length;
                }
            }
        }
        return points;
    }

    /** Writes results/figures/NAME.png of a raster image (PNG only: a raster has no vector form); returns image. */
    public static BufferedImage save(String name, BufferedImage image) {
        writePng(Results.file(Results.figures(), name, "png"), image);
        return image;
    }

    /** A WIDTH x HEIGHT chart on a white background with the legend below the plot. */
    private static XYChart chart(String title, String xLabel, String yLabel, XYSeries.XYSeriesRenderStyle style, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setDefaultSeriesRenderStyle(style);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS); // below the plot: never hides a curve
        chart.getStyler().setXAxisTickMarkSpacingHint(90); // pixels between x ticks, so labels never run together
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    /** Writes image to path as PNG, atomically (see AtomicFile): a failed write leaves an earlier PNG intact. */
    private static void writePng(Path path, BufferedImage image) {
        AtomicFile.write(path, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer available for " + path);
            }
        });
    }

    /** Cell size max(width) x max(height) over charts, ceil(k / columns) rows. */
    private static final class Layout {
        private final int columns;
        private final Chart<?, ?>[] charts;
        private final int cellWidth;
        private final int cellHeight;

        Layout(int columns, Chart<?, ?>[] charts) {
            if (charts.length < 1) {
                throw new IllegalArgumentException("charts is empty; at least one chart is required");
            }
            if (columns < 1) {
                throw new IllegalArgumentException("columns = " + columns + " must be >= 1");
            }
            this.columns = Math.min(columns, charts.length);
            this.charts = charts;
            int widest = 0;
            int tallest = 0;
            for (Chart<?, ?> chart : charts) {
                widest = Math.max(widest, chart.getWidth());
                tallest = Math.max(tallest, chart.getHeight());
            }
            this.cellWidth = widest;
            this.cellHeight = tallest;
        }

        int width() {
            return columns * cellWidth;
        }

        int height() {
            return (charts.length + columns - 1) / columns * cellHeight;
        }

        void paint(Graphics2D graphics) {
            for (int i = 0; i < charts.length; i++) {
                Graphics2D cell = (Graphics2D) graphics.create(i % columns * cellWidth, i / columns * cellHeight, cellWidth, cellHeight);
                charts[i].paint(cell, charts[i].getWidth(), charts[i].getHeight());
                cell.dispose();
            }
        }
    }
}
