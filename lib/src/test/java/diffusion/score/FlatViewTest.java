package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.nn.UNet;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlatViewTest extends ManagedTest {

    /** A tiny seeded UNet on 8x8 images as a noise predictor of a 100-step schedule. */
    static ScoreModel tinyUNet(NoiseSchedule schedule, long seed) {
        Environment.seed(seed);
        UNet net = new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
        net.initialize(manager);
        return new NetworkScoreModel(net, schedule);
    }

    /** The flat view computes the same arithmetic on the same numbers: outputs agree exactly, entry by entry. */
    @Test
    void theFlatViewGivesTheImageModelsNumbers() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        ScoreModel images = tinyUNet(schedule, 1);
        FlatView flat = new FlatView(images);
        assertEquals(new Shape(64), flat.sampleShape());
        assertEquals(64, flat.dim());
        assertEquals(images.kernel(), flat.kernel());
        assertEquals(images.parameterisation(), flat.parameterisation());
        NDArray x = manager.randomNormal(new Shape(5, 1, 8, 8));
        NDArray vectors = flat.flatten(x);
        assertEquals(new Shape(5, 64), vectors.getShape());
        for (int t : new int[] {1, 50, 100}) {
            assertArrayEquals(images.epsilon(x, t).toFloatArray(), flat.epsilon(vectors, t).toFloatArray(), "eps at t = " + t);
            assertArrayEquals(images.score(x, t).toFloatArray(), flat.score(vectors, t).toFloatArray(), "score at t = " + t);
            assertArrayEquals(images.denoise(x, t).toFloatArray(), flat.denoise(vectors, t).toFloatArray(), "x0 at t = " + t);
            assertEquals(new Shape(5, 64), flat.output(vectors, t).getShape());
        }
        assertThrows(IllegalArgumentException.class, () -> flat.output(x, 1), "images are not vectors");
        assertThrows(IllegalArgumentException.class, () -> flat.flatten(vectors), "vectors are not images");
    }
}
