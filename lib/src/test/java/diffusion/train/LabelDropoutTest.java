package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.report.Environment;
import org.junit.jupiter.api.Test;

/** Label dropout replaces labels by the null class at its stated rate and keeps the rest. */
class LabelDropoutTest extends ManagedTest {

    /**
     * n = 200000 labels at p = 0.1 and 0.2 (seeded): the fraction set to K within 4 binomial standard errors
     * sqrt(p (1 - p) / n) (about 0.0027 at 0.1), and every other label unchanged.
     */
    @Test
    void theDropoutRateIsTheStatedProbability() {
        int n = 200_000;
        NDArray labels = manager.arange(0, n, 1, DataType.INT64).mod(5);
        for (double p : new double[] {LabelDropout.DEFAULT_PROBABILITY, 0.2}) {
            Environment.seed(7);
            NDArray dropped = new LabelDropout(5, p).apply(labels);
            NDArray isNull = dropped.eq(5);
            double rate = isNull.countNonzero().getLong() / (double) n;
            assertEquals(p, rate, 4 * Math.sqrt(p * (1 - p) / n), "p = " + p);
            assertEquals(0, dropped.eq(labels).logicalOr(isNull).logicalNot().countNonzero().getLong(), "kept labels unchanged");
        }
    }

    /** p = 0 keeps every label, p = 1 drops every label; p outside [0, 1] and K &lt; 1 are refused. */
    @Test
    void theEndpointsAndRefusals() {
        NDArray labels = manager.zeros(new Shape(1000), DataType.INT64);
        assertEquals(0, new LabelDropout(3, 0).apply(labels).countNonzero().getLong());
        assertEquals(1000, new LabelDropout(3, 1).apply(labels).eq(3).countNonzero().getLong());
        assertThrows(IllegalArgumentException.class, () -> new LabelDropout(3, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LabelDropout(3, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new LabelDropout(0, 0.1));
    }

    /** Labels outside 0..K-1 (the null class K included), of a floating type or not of shape (n) are refused by name. */
    @Test
    void labelsOutsideTheClassesAreRefused() {
        LabelDropout dropout = new LabelDropout(3, 0.5);
        for (int label : new int[] {-1, 3, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dropout.apply(manager.create(new int[] {0, label})));
            assertTrue(e.getMessage().startsWith("labels has values in ["), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> dropout.apply(manager.create(new float[] {0, 1})));
        assertThrows(IllegalArgumentException.class, () -> dropout.apply(manager.zeros(new Shape(2, 2), DataType.INT64)));
    }
}
