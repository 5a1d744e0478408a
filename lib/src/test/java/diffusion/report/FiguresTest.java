package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.Toy2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

class FiguresTest extends RedirectedResults {

    @Test
    void savedScatterWritesPngAndSvgHeadless() throws Exception {
        assertTrue(java.awt.GraphicsEnvironment.isHeadless());
        try (NDManager manager = NDManager.newBaseManager()) {
            XYChart chart = Figures.scatter("two moons", "data", Toy2D.byName("two_moons").sample(manager, 200, 1));
            Figures.addScatter(chart, "samples", Toy2D.byName("rings").sample(manager, 200, 2));
            BufferedImage image = Figures.save("scatter", chart);
            assertEquals(Figures.WIDTH, image.getWidth());
            BufferedImage png = ImageIO.read(temporary.resolve("figures/scatter.png").toFile());
            assertEquals(image.getWidth(), png.getWidth());
            assertEquals(image.getHeight(), png.getHeight());
            String svg = Files.readString(temporary.resolve("figures/scatter.svg"));
            assertTrue(svg.contains("<svg") && svg.contains("</svg>"), svg.substring(0, Math.min(200, svg.length())));
        }
    }

    /**
     * Past SVG_POINT_LIMIT points, or past SVG_BYTE_LIMIT bytes of SVG, a figure is PNG only, and a stale SVG of the
     * same name from an earlier run goes.
     */
    @Test
    void aLargeFigureIsSavedAsPngOnly() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Figures.save("cloud", Figures.scatter("small", "data", Toy2D.byName("rings").sample(manager, 200, 1)));
            assertTrue(Files.exists(temporary.resolve("figures/cloud.svg")), "a small figure has its SVG");
            XYChart large = Figures.scatter("large", "data", Toy2D.byName("rings").sample(manager, Figures.SVG_POINT_LIMIT / 2, 2));
            Figures.addScatter(large, "more", Toy2D.byName("rings").sample(manager, Figures.SVG_POINT_LIMIT / 2 + 1, 3));
            Figures.save("cloud", large);
            assertTrue(Files.exists(temporary.resolve("figures/cloud.png")));
            assertFalse(Files.exists(temporary.resolve("figures/cloud.svg")), "one point over the limit: PNG only");
            Figures.save("cloud", Figures.scatter("small", "data", Toy2D.byName("rings").sample(manager, 200, 1)));
            Figures.save("cloud", Figures.scatter("heavy", "data", Toy2D.byName("rings").sample(manager, Figures.SVG_POINT_LIMIT, 4)));
            assertFalse(Files.exists(temporary.resolve("figures/cloud.svg")), "at the point limit a scatter's SVG passes SVG_BYTE_LIMIT: PNG only");
        }
    }

    @Test
    void gridOfLineChartsIsColumnsByRowsOfCells() throws Exception {
        XYChart loss = Figures.logY(Figures.addLine(Figures.lines("loss", "step", "loss"), "train", new double[] {1, 2, 3}, new double[] {1, 0.1, 0.01}));
        XYChart other = Figures.addLine(Figures.lines("a", "t", "y"), "y", new double[] {0, 1}, new double[] {0, 1});
        XYChart third = Figures.addLine(Figures.lines("b", "t", "y"), "y", new double[] {0, 1}, new double[] {1, 0});
        BufferedImage grid = Figures.grid(2, loss, other, third);
        assertEquals(2 * Figures.WIDTH, grid.getWidth());
        assertEquals(2 * Figures.HEIGHT, grid.getHeight());
        Figures.saveGrid("grid", 2, loss, other, third);
        assertTrue(Files.size(temporary.resolve("figures/grid.png")) > 0);
        assertTrue(Files.readString(temporary.resolve("figures/grid.svg")).contains("<svg"));
        Figures.save("raster", grid);
        assertTrue(Files.exists(temporary.resolve("figures/raster.png")));
        assertFalse(Files.exists(temporary.resolve("figures/raster.svg")));
    }

    @Test
    void badInputIsRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> Figures.scatter("t", "s", manager.zeros(new Shape(5, 3))));
            assertTrue(shape.getMessage().contains("(n, 2)"), shape.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Figures.addLine(Figures.lines("t", "x", "y"), "s", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Figures.grid(0, Figures.lines("t", "x", "y")));
    }

    /** A PNG that cannot be put in place (a non-empty folder has its name) fails naming the file, leaving no temporary file. */
    @Test
    void aFailedSaveNamesTheFileAndLeavesNoTemporaryFile() throws Exception {
        java.nio.file.Path taken = Files.createDirectories(temporary.resolve("figures/taken.png"));
        Files.writeString(taken.resolve("inside"), "x");
        XYChart chart = Figures.addLine(Figures.lines("t", "x", "y"), "s", new double[] {0, 1}, new double[] {0, 1});
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> Figures.save("taken", chart));
        assertTrue(e.getMessage().startsWith("could not write " + taken), e.getMessage());
        try (var files = Files.list(temporary.resolve("figures"))) {
            assertEquals(java.util.List.of(taken), files.toList());
        }
    }
}
