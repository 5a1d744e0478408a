package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MovingAverageTest {

    /** Point k is the mean of values [k, k + window), placed at step k + window. */
    @Test
    void averagesTrailingWindows() {
        MovingAverage average = MovingAverage.of(new float[] {1, 2, 3, 4, 5}, 2);
        assertArrayEquals(new double[] {2, 3, 4, 5}, average.steps());
        assertArrayEquals(new double[] {1.5, 2.5, 3.5, 4.5}, average.values(), 1e-12);
        assertEquals(4.5, average.last(), 1e-12);
        assertArrayEquals(new double[] {1, 2, 3}, MovingAverage.of(new float[] {1, 2, 3}, 1).values(), 1e-12);
        assertEquals(2, MovingAverage.ofFraction(new float[] {1, 2, 3, 4, 5}, 0.4).window());
        assertEquals(1, MovingAverage.ofFraction(new float[] {1, 2, 3}, 0.05).window());
    }

    @Test
    void refusesWindowsOutsideTheValues() {
        assertThrows(IllegalArgumentException.class, () -> MovingAverage.of(new float[] {1, 2}, 3));
        assertThrows(IllegalArgumentException.class, () -> MovingAverage.of(new float[] {1, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> MovingAverage.ofFraction(new float[] {1, 2}, 0));
    }
}
