package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import org.junit.jupiter.api.Test;

class PrecisionRecallTest extends ManagedTest {

    /** A sample lies inside its own support; points far from the data are outside it; half the points half the score. */
    @Test
    void countsPointsInsideTheKNearestNeighbourBalls() {
        NDArray data = manager.create(new float[][] {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0.5f, 0.5f}});
        PrecisionRecall.Scores self = PrecisionRecall.of(data, data, 2);
        assertEquals(1, self.precision(), 0);
        assertEquals(1, self.recall(), 0);
        NDArray far = data.add(100);
        assertEquals(0, PrecisionRecall.of(far, data, 2).precision(), 0);
        NDArray half = data.get("0:2").concat(far.get("0:2"), 0); // two points inside, two far away
        assertEquals(0.5, PrecisionRecall.reference(data, 2).precision(half), 0);
    }

    /** The k-th neighbour radius excludes the point itself: with k = 1 the radius of (0, 0) is its distance 0.5 to (0.5, 0). */
    @Test
    void radiusExcludesThePointItself() {
        NDArray data = manager.create(new float[][] {{0, 0}, {0.5f, 0}, {3, 0}});
        NDArray probe = manager.create(new float[][] {{-0.49f, 0}, {-0.51f, 0}});
        double precision = PrecisionRecall.reference(data, 1).precision(probe);
        assertTrue(precision == 0.5, "only the probe within 0.5 of (0, 0) is inside: " + precision);
    }
}
