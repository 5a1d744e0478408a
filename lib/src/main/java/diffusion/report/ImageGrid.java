package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Tiles images (n, C, H, W) with pixel values in [-1, 1] (C = 1 grey, C = 3 RGB) into one raster image: `columns`
 * images per row, each pixel drawn as a scale x scale block (nearest neighbour, so 8x8 digits stay legible), a gap
 * of `GAP` white pixels between tiles; values outside [-1, 1] are clipped, NaN is drawn red. rows(...) stacks labelled
 * rows (one sampler per row, say) with the label to the left. Save with Figures.save(name, image).
 */
public final class ImageGrid {

    /** White pixels between tiles. */
    public static final int GAP = 2;

    /** Smallest width of the label column of rows(...), in pixels (wider when a label needs it). */
    public static final int LABEL_WIDTH = 190;

    private ImageGrid() {
    }

    /** The grey level 0..255 of pixel value v in [-1, 1] (clipped): round(255 (v + 1) / 2). */
    public static int level(double v) {
        return (int) Math.round(255 * (Math.max(-1, Math.min(1, v)) + 1) / 2);
    }

    /** images (n, C, H, W), n &gt;= 1, in rows of `columns` tiles (the last row padded white), scale &gt;= 1. */
    public static BufferedImage of(NDArray images, int columns, int scale) {
        Shape shape = checked(images);
        Arguments.atLeast("columns", columns, 1);
        Arguments.atLeast("scale", scale, 1);
        int n = Math.toIntExact(shape.get(0));
        int rows = (n + columns - 1) / columns;
        int c = Math.min(columns, n);
        int tileW = (int) shape.get(3) * scale, tileH = (int) shape.get(2) * scale;
        BufferedImage image = blank(c * tileW + (c + 1) * GAP, rows * tileH + (rows + 1) * GAP);
        draw(image, images, columns, scale, 0, 0);
        return image;
    }

    /**
     * One row per entry: label on the left (the label column is LABEL_WIDTH wide, or wider for a long label), then the first `columns` images of that entry's (m, C, H, W) array (all of
     * one image shape; fewer than columns leave the rest white).
     */
    public static BufferedImage rows(List<String> labels, List<NDArray> rows, int columns, int scale) {
        Arguments.nonNull("labels", labels);
        Arguments.nonNull("rows", rows);
        if (labels.size() != rows.size() || rows.isEmpty()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + rows.size() + " rows: give one label per row, at least one row");
        }
        Arguments.atLeast("columns", columns, 1);
        Arguments.atLeast("scale", scale, 1);
        Shape first = checked(rows.get(0));
        for (NDArray row : rows) {
            Shape s = checked(row);
            if (!s.slice(1).equals(first.slice(1))) {
                throw new IllegalArgumentException("rows of images " + first.slice(1) + " and " + s.slice(1) + ": one image shape for every row");
            }
        }
        int tileW = (int) first.get(3) * scale, tileH = (int) first.get(2) * scale;
        int rowH = tileH + GAP;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, Math.min(14, tileH / 2)));
        int labelWidth = LABEL_WIDTH;
        Graphics2D probe = blank(1, 1).createGraphics();
        for (String label : labels) {
            labelWidth = Math.max(labelWidth, probe.getFontMetrics(font).stringWidth(label) + 10);
        }
        probe.dispose();
        BufferedImage image = blank(labelWidth + columns * tileW + (columns + 1) * GAP, rows.size() * rowH + GAP);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(font);
        for (int r = 0; r < rows.size(); r++) {
            int y = GAP + r * rowH;
            g.drawString(labels.get(r), 4, y + tileH / 2 + g.getFontMetrics().getAscent() / 2 - 2);
            NDArray row = rows.get(r);
            long m = Math.min(columns, row.getShape().get(0));
            try (NDArray part = row.get("0:" + m)) {
                draw(image, part, columns, scale, labelWidth, y - GAP);
            }
        }
        g.dispose();
        return image;
    }

    private static Shape checked(NDArray images) {
        Arguments.nonNull("images", images);
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(0) < 1 || (shape.get(1) != 1 && shape.get(1) != 3)) {
            throw new IllegalArgumentException("images have shape " + shape + ": expected (n, C, H, W) with n >= 1 and C = 1 or 3");
        }
        return shape;
    }

    private static BufferedImage blank(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Draws images into image with its top-left tile area at (x0, y0) (the first gap included). */
    private static void draw(BufferedImage image, NDArray images, int columns, int scale, int x0, int y0) {
        Shape shape = images.getShape();
        int n = (int) shape.get(0), channels = (int) shape.get(1), h = (int) shape.get(2), w = (int) shape.get(3);
        float[] v = images.toType(DataType.FLOAT32, false).toFloatArray();
        for (int i = 0; i < n; i++) {
            int left = x0 + GAP + (i % columns) * (w * scale + GAP), top = y0 + GAP + (i / columns) * (h * scale + GAP);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    boolean nan = false;
                    for (int c = 0; c < 3; c++) {
                        float value = v[((i * channels + (channels == 1 ? 0 : c)) * h + y) * w + x];
                        nan |= Float.isNaN(value);
                        rgb = (rgb << 8) | (Float.isNaN(value) ? 0 : level(value));
                    }
                    if (nan) {
                        rgb = 0xFF0000;
                    }
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            image.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                        }
                    }
                }
            }
        }
    }
}
