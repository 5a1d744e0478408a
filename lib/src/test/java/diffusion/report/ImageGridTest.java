package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageGridTest extends RedirectedResults {

    @Test
    void tilesAreScaledPixelsWithGapsAndTheRangeMapsToGreyLevels() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 3 images of 2x2: image 0 all -1 (black), image 1 all 1 (white), image 2 with 0, 2 (clipped), -3 (clipped), NaN
            NDArray images = manager.create(new float[] {-1, -1, -1, -1, 1, 1, 1, 1, 0, 2, -3, Float.NaN}, new Shape(3, 1, 2, 2));
            BufferedImage grid = ImageGrid.of(images, 2, 3);
            assertEquals(2 * 6 + 3 * ImageGrid.GAP, grid.getWidth());
            assertEquals(2 * 6 + 3 * ImageGrid.GAP, grid.getHeight());
            int g = ImageGrid.GAP;
            assertEquals(0x000000, grid.getRGB(g, g) & 0xFFFFFF, "-1 is black");
            assertEquals(0xFFFFFF, grid.getRGB(g + 6 + g + 5, g + 5) & 0xFFFFFF, "1 is white");
            int top = g + 6 + g; // second row
            assertEquals(128 * 0x010101, grid.getRGB(g, top) & 0xFFFFFF, "0 is mid grey (round(127.5) = 128)");
            assertEquals(0xFFFFFF, grid.getRGB(g + 3, top) & 0xFFFFFF, "2 is clipped to white");
            assertEquals(0x000000, grid.getRGB(g, top + 3) & 0xFFFFFF, "-3 is clipped to black");
            assertEquals(0xFF0000, grid.getRGB(g + 3, top + 3) & 0xFFFFFF, "NaN is red");
            assertEquals(0xFFFFFF, grid.getRGB(g + 6 + g + 1, top + 1) & 0xFFFFFF, "the missing fourth tile is white");
            Figures.save("tiles", grid);
            BufferedImage read = ImageIO.read(temporary.resolve("figures/tiles.png").toFile());
            assertEquals(grid.getWidth(), read.getWidth());
            assertEquals(grid.getRGB(g + 3, top + 3), read.getRGB(g + 3, top + 3));
        }
    }

    @Test
    void labelledRowsAndRefusals() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.zeros(new Shape(5, 1, 8, 8)), b = manager.ones(new Shape(2, 1, 8, 8));
            BufferedImage rows = ImageGrid.rows(List.of("first", "second"), List.of(a, b), 4, 2);
            assertEquals(ImageGrid.LABEL_WIDTH + 4 * 16 + 5 * ImageGrid.GAP, rows.getWidth());
            assertEquals(2 * (16 + ImageGrid.GAP) + ImageGrid.GAP, rows.getHeight());
            int y = 16 + 2 * ImageGrid.GAP + 3; // inside the second row
            assertEquals(0xFFFFFF, rows.getRGB(ImageGrid.LABEL_WIDTH + ImageGrid.GAP + 2, y) & 0xFFFFFF, "ones are white");
            assertEquals(128 * 0x010101, rows.getRGB(ImageGrid.LABEL_WIDTH + ImageGrid.GAP + 2, ImageGrid.GAP + 3) & 0xFFFFFF, "zeros grey");
            assertThrows(IllegalArgumentException.class, () -> ImageGrid.rows(List.of("one"), List.of(a, b), 4, 2));
            assertThrows(IllegalArgumentException.class, () -> ImageGrid.rows(List.of("a", "b"), List.of(a, manager.zeros(new Shape(2, 1, 4, 4))), 4, 2));
            var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(manager.zeros(new Shape(2, 64)), 4, 2));
            assertTrue(e.getMessage().contains("(n, C, H, W)"), e.getMessage());
            String longLabel = "a label much longer than the narrowest label column allows, surely";
            BufferedImage wide = ImageGrid.rows(List.of(longLabel), List.of(a), 4, 2);
            assertTrue(wide.getWidth() > ImageGrid.LABEL_WIDTH + 4 * 16 + 5 * ImageGrid.GAP, "the label column widens for a long label");
            Figures.save("rows", rows);
            assertTrue(Files.size(temporary.resolve("figures/rows.png")) > 0);
        }
    }
}
