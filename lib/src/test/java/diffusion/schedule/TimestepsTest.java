package diffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TimestepsTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    /**
     * improved-diffusion's respace.space_timesteps(T, [K]) for one section, transcribed: frac_stride = (T - 1) / (K - 1),
     * cur_idx a running float64 sum of strides starting at 0, and the step round(cur_idx), Python's round (exact half to
     * even on the binary value: BigDecimal, not Math.rint). 0-indexed steps, returned sorted.
     */
    private static int[] spaceTimesteps(int T, int K) {
        double fracStride = K <= 1 ? 1 : (T - 1.0) / (K - 1);
        double curIdx = 0.0;
        TreeSet<Integer> taken = new TreeSet<>();
        for (int i = 0; i < K; i++) {
            taken.add(new BigDecimal(curIdx).setScale(0, RoundingMode.HALF_EVEN).intValueExact());
            curIdx += fracStride;
        }
        return taken.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Timesteps.uniform(T, K) is improved-diffusion's space_timesteps(T, [K]) shifted by one (its steps are 0-indexed,
     * ours 1-indexed): for T = 1000 and K = 7, 10, 50, 3, and T = 4000, K = 250. K = 7 has the stride 166.5, so
     * cur_idx = 166.5 and 832.5 are exact halves and Python rounds them to the even 166 and 832 (Math.round would give
     * 167 and 833); K = 3 has the half 499.5 -> 500.
     */
    @Test
    void uniformSpacingIsImprovedDiffusionsSpaceTimestepsPlusOne() {
        int[][] cases = {{1000, 7}, {1000, 10}, {1000, 50}, {1000, 3}, {4000, 250}};
        for (int[] c : cases) {
            NoiseSchedule schedule = c[0] == 1000 ? SCHEDULE : NoiseSchedule.linear(c[0]);
            int[] expected = spaceTimesteps(c[0], c[1]);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += 1;
            }
            assertArrayEquals(expected, Timesteps.uniform(schedule, c[1]).steps(), "T = " + c[0] + ", K = " + c[1]);
        }
        assertArrayEquals(new int[] {1, 167, 334, 501, 667, 833, 1000}, Timesteps.uniform(SCHEDULE, 7).steps(), "K = 7 by hand");
        assertArrayEquals(new int[] {1, 501, 1000}, Timesteps.uniform(SCHEDULE, 3).steps(), "K = 3 by hand");
    }

    /** Uniform and quadratic spacings are strictly increasing, start at 1, end at T, and K = T gives every step. */
    @Test
    void spacingsAreIncreasingSequencesFromOneToT() {
        for (Timesteps steps : new Timesteps[] {Timesteps.uniform(SCHEDULE, 10), Timesteps.quadratic(SCHEDULE, 10),
                Timesteps.quadratic(SCHEDULE, 200), Timesteps.uniform(SCHEDULE, 37)}) {
            assertEquals(1, steps.tau(1), steps + " starts at 1");
            assertEquals(SCHEDULE.T(), steps.tau(steps.K()), steps + " ends at T");
            assertEquals(0, steps.tau(0), "tau_0 = 0 stands for the data");
            for (int k = 1; k <= steps.K(); k++) {
                assertTrue(steps.tau(k) > steps.tau(k - 1), steps + " increases at k = " + k);
                assertEquals(SCHEDULE.alphaBar(steps.tau(k)), steps.subSchedule().alphaBar(k), 1e-12, "alphaBar'_k = alphaBar_{tau_k}");
            }
        }
        assertArrayEquals(new int[] {1, 112, 223, 334, 445, 556, 667, 778, 889, 1000}, Timesteps.uniform(SCHEDULE, 10).steps());
        assertArrayEquals(new int[] {1, 13, 50, 112, 198, 309, 445, 605, 790, 1000}, Timesteps.quadratic(SCHEDULE, 10).steps());
        assertEquals(SCHEDULE.T(), Timesteps.full(SCHEDULE).K());
        assertArrayEquals(java.util.stream.IntStream.rangeClosed(1, 1000).toArray(), Timesteps.full(SCHEDULE).steps());
        assertEquals(3, Timesteps.quadratic(NoiseSchedule.linear(3), 3).tau(3), "the increasing repair keeps K = T valid");
        // K = 1 is the one documented departure from space_timesteps (which takes step 1): tau_1 = T, the noisiest step
        assertArrayEquals(new int[] {1000}, Timesteps.uniform(SCHEDULE, 1).steps());
    }

    @Test
    void badInputIsRejectedBeforeAnyWork() {
        assertMessage("steps", () -> Timesteps.of(SCHEDULE));
        assertMessage("strictly increasing", () -> Timesteps.of(SCHEDULE, 1, 5, 5));
        assertMessage("strictly increasing", () -> Timesteps.of(SCHEDULE, 10, 3));
        assertMessage("steps[1]", () -> Timesteps.of(SCHEDULE, 1, 1001));
        assertMessage("steps[0]", () -> Timesteps.of(SCHEDULE, 0, 5));
        assertMessage("K", () -> Timesteps.uniform(SCHEDULE, 0));
        assertMessage("K", () -> Timesteps.quadratic(SCHEDULE, 1001));
    }

    private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(name), "message names " + name + ": " + e.getMessage());
    }
}
