package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

/** Per-mode moments: exact on a known sample, and with power against the defects a sampler matrix must see. */
class ModeMomentsTest {

    @Test
    void cellsHoldTheFractionMeanAndStandardDeviationOfEachMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            var x = m.create(new float[] {-2, 0, -4, 0, 3, 1, 5, 1, 4, 4}, new ai.djl.ndarray.types.Shape(5, 2));
            ModeMoments.Cells cells = ModeMoments.of(x, new double[][] {{-3, 0}, {4, 2}});
            assertEquals(0.4, cells.fractions()[0], 1e-12);
            assertEquals(-3, cells.means()[0][0], 1e-6);
            assertEquals(Math.sqrt(2), cells.sds()[0][0], 1e-6); // values -2, -4: sample sd sqrt(2)
            assertEquals(4, cells.means()[1][0], 1e-6);
            assertEquals(2, cells.means()[1][1], 1e-6);
            assertEquals(Math.sqrt(3), cells.sds()[1][1], 1e-6); // values 1, 1, 4: sample sd sqrt(3)
            assertEquals(0, ModeMoments.distance(cells, cells), 0);
        }
    }

    /**
     * At n = 2000 on eight Gaussians, two exact samples differ by a floor D0; a mixture whose modes are 20% wider, or
     * one with a mode dropped, is farther from the reference than the largest of 10 exact-vs-exact distances (a
     * 1-in-11 chance for a defect-free sample, so a defect seen beyond all 10 is seen with power).
     */
    @Test
    void wideModesAndADroppedModeStandOutAboveTheExactFloor() {
        GaussianMixture exact = GaussianMixture.eightGaussians(2, 0.3);
        double[][] modes = exact.means();
        GaussianMixture wide = GaussianMixture.eightGaussians(2, 0.36);
        double[] weights = new double[8];
        java.util.Arrays.fill(weights, 1);
        weights[0] = 1e-9; // mixture weights must be > 0: this mode is dropped for any n used here
        GaussianMixture dropped = GaussianMixture.isotropic(weights, modes, 0.3);
        try (NDManager m = NDManager.newBaseManager()) {
            ModeMoments.Cells reference = ModeMoments.of(exact.sample(m, 8000, 1), modes);
            double floor = 0;
            for (int r = 0; r < 10; r++) {
                floor = Math.max(floor, ModeMoments.distance(ModeMoments.of(exact.sample(m, 2000, 10 + r), modes), reference));
            }
            double wider = ModeMoments.distance(ModeMoments.of(wide.sample(m, 2000, 3), modes), reference);
            double missing = ModeMoments.distance(ModeMoments.of(dropped.sample(m, 2000, 4), modes), reference);
            assertTrue(wider > floor, "20% wider modes: D = " + wider + ", largest exact D = " + floor);
            assertTrue(missing > floor, "a dropped mode: D = " + missing + ", largest exact D = " + floor);
        }
    }
}
