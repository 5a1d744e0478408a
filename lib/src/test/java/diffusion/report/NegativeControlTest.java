package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import diffusion.Monitor;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.schedule.NoiseSchedule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each sample-quality metric, at the notebooks' sample size, sees the defects it is used for, at a false-positive rate
 * near its nominal 5%. Tolerances: with R = 30 replicates a rate has binomial SE <= 0.09, so the false-positive rate
 * must stay below 0.05 + 0.1 and every expected detection rate above 0.8 (a metric with power 0.95 falls below 0.8 in
 * fewer than 1% of runs); the seeds are fixed, so the test does not flake.
 */
class NegativeControlTest {

    private static final GaussianMixture DATA = Toy2D.eightGaussians();

    /** The defects each metric must detect; together they cover every standard defect. */
    private static final Map<SampleQuality.Metric, List<String>> EXPECTED = Map.of(
            SampleQuality.Metric.ENERGY, List.of("mode 0 dropped", "10% outliers", "lecture's Algorithm 2"),
            SampleQuality.Metric.SLICED_W2, List.of("mode 0 dropped", "10% outliers", "lecture's Algorithm 2"),
            SampleQuality.Metric.PRECISION, List.of("10% outliers"),
            SampleQuality.Metric.MODE_WEIGHT_ERROR, List.of("mode 0 dropped"),
            SampleQuality.Metric.MODE_VARIANCE_ERROR, List.of("variance x 1.1", "variance x 0.9", "10% outliers", "lecture's Algorithm 2"));

    @Test
    void everyMetricSeesItsDefectsAtTheNotebooksSampleSize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NegativeControl.Result> results = NegativeControl.run(manager, DATA,
                    NegativeControl.standardDefects(DATA, NoiseSchedule.linear(1000)), SampleQuality.SAMPLES, 30, 0.05, 1, Monitor.quiet());
            assertEquals(SampleQuality.Metric.values().length, results.size());
            for (NegativeControl.Result r : results) {
                assertTrue(r.falsePositiveRate() <= 0.15, r.metric() + ": false-positive rate " + r.falsePositiveRate());
                for (String defect : EXPECTED.get(r.metric())) {
                    assertTrue(r.detectionRate().get(defect) >= 0.8, r.metric() + " detects " + defect + " in " + r.detectionRate().get(defect));
                }
            }
        }
    }

    /** The defect laws are what they say: scaled component variances, one component fewer, outlier mass. */
    @Test
    void defectsAreTheStatedLaws() {
        GaussianMixture wide = NegativeControl.scaledVariance(DATA, 1.1);
        assertEquals(1.1 * DATA.variances()[3][1], wide.variances()[3][1], 1e-15);
        GaussianMixture dropped = NegativeControl.droppedMode(DATA, 0);
        assertEquals(7, dropped.components());
        assertEquals(DATA.means()[1][0], dropped.means()[0][0], 0);
        GaussianMixture outliers = NegativeControl.withOutliers(DATA, 0.1, 4);
        assertEquals(0.1, outliers.weights()[8], 1e-12);
        assertEquals(4 * DATA.variance()[0], outliers.variances()[8][0], 1e-12);
    }

    /** The threshold is the empirical quantile, interpolated between order statistics. */
    @Test
    void quantileInterpolates() {
        assertEquals(2.5, NegativeControl.quantile(new double[] {4, 1, 3, 2}, 0.5), 1e-15);
        assertEquals(4, NegativeControl.quantile(new double[] {4, 1, 3, 2}, 1), 1e-15);
    }
}
