package diffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseLadderTest {

    /** sigma_1 = sigmaMax, sigma_L = sigmaMin, and a constant ratio sigma_{i+1} / sigma_i = (sigmaMin / sigmaMax)^(1/(L-1)). */
    @Test
    void theGeometricLadderHasAConstantRatioBetweenItsEndpoints() {
        NoiseLadder ladder = NoiseLadder.geometric(10, 0.01, 7);
        assertEquals(7, ladder.levels());
        assertEquals(10, ladder.sigma(1), 0);
        assertEquals(0.01, ladder.sigma(7), 0);
        double ratio = Math.pow(0.01 / 10, 1.0 / 6);
        for (int i = 1; i < 7; i++) {
            assertEquals(ratio, ladder.sigma(i + 1) / ladder.sigma(i), 1e-12);
        }
    }

    /**
     * As a perturbation kernel the time counts the levels from the cleanest up: level i sits at time t = L + 1 - i, where
     * m(t) = 1 and s(t) = sigma_i (variance exploding); t = L is the noisiest level sigma_1 and s(0) = 0 is the data.
     */
    @Test
    void asAKernelTheTimeCountsTheLevelsFromTheCleanestUp() {
        NoiseLadder ladder = NoiseLadder.of(2, 1, 0.5);
        assertEquals(3, ladder.tMax(), 0);
        assertTrue(ladder.discrete());
        for (int i = 1; i <= 3; i++) {
            assertEquals(4 - i, ladder.time(i), "t = L + 1 - i");
            assertEquals(1, ladder.meanScale(ladder.time(i)), 0);
            assertEquals(ladder.sigma(i), ladder.std(ladder.time(i)), 0);
        }
        assertEquals(2, ladder.std(3), 0, "t = L: sigma_1, the noisiest level");
        assertEquals(0.5, ladder.std(1), 0, "t = 1: sigma_L, the cleanest level");
        assertEquals(0, ladder.std(0), 0, "t = 0: the data");
        for (int t = 1; t <= 3; t++) {
            assertTrue(ladder.std(t) > ladder.std(t - 1), "the noise grows with t, as for every kernel");
        }
        assertThrows(IllegalArgumentException.class, () -> ladder.std(1.5));
        assertThrows(IllegalArgumentException.class, () -> ladder.std(4));
        assertThrows(IllegalArgumentException.class, () -> ladder.std(-1));
        assertThrows(IllegalArgumentException.class, () -> ladder.sigma(4));
        assertThrows(IllegalArgumentException.class, () -> ladder.time(0));
    }

    @Test
    void emptyNegativeOrIncreasingLaddersAreRejected() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> NoiseLadder.of());
        assertTrue(empty.getMessage().contains("at least one level"), empty.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> NoiseLadder.of(1, -0.5));
        assertTrue(negative.getMessage().contains("sigma_2 = -0.5"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.of(0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.geometric(1, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.geometric(0.1, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.geometric(1, -1, 5));
    }
}
