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

    /** As a perturbation kernel over the level i: m(i) = 1 and s(i) = sigma_i (variance exploding). */
    @Test
    void asAKernelTheLevelSetsTheNoiseScale() {
        NoiseLadder ladder = NoiseLadder.of(2, 1, 0.5);
        for (int i = 1; i <= 3; i++) {
            assertEquals(1, ladder.meanScale(i), 0);
            assertEquals(ladder.sigma(i), ladder.std(i), 0);
        }
        assertThrows(IllegalArgumentException.class, () -> ladder.std(1.5));
        assertThrows(IllegalArgumentException.class, () -> ladder.std(0));
        assertThrows(IllegalArgumentException.class, () -> ladder.sigma(4));
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
