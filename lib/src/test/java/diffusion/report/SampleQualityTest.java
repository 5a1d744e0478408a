package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.EnergyDistance;
import diffusion.metrics.ModeMoments;
import diffusion.metrics.ModeWeights;
import diffusion.metrics.MonteCarlo;
import diffusion.metrics.PrecisionRecall;
import diffusion.metrics.SlicedWasserstein;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleQualityTest {

    private static final GaussianMixture DATA = Toy2D.eightGaussians();

    /** The scores are the library's metrics against the reference, each with its stated settings. */
    @Test
    void scoresAreTheLibraryMetricsAgainstTheReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray reference = DATA.sample(m, 1000, 1);
            NDArray other = DATA.sample(m, 1000, 2);
            SampleQuality.Scores scores = SampleQuality.against(reference, DATA).of(other);
            assertEquals(EnergyDistance.distance(other, reference), scores.energy(), 1e-12);
            assertEquals(SlicedWasserstein.distance(other, reference, 200, 7), scores.slicedW2(), 1e-12);
            assertEquals(PrecisionRecall.of(other, reference).precision(), scores.precision(), 1e-12);
            
            assertEquals(pooledVariance(other) / pooledVariance(reference), scores.modeVarianceRatio(), 1e-9,
                    "pooled within-mode variance over the reference's");
            assertEquals(ModeWeights.error(other, DATA.means(), DATA.weights()), scores.modeWeightError(), 1e-12);
            SampleQuality.Scores plain = SampleQuality.against(reference).of(other);
            assertTrue(Double.isNaN(plain.modeVarianceRatio()) && Double.isNaN(plain.modeWeightError()), "no modes, no mode metrics");
        }
    }

    /** sum_k f_k (sd_k1^2 + sd_k2^2) / 2 over the nearest-mode cells of x. */
    private static double pooledVariance(NDArray x) {
        ModeMoments.Cells cells = ModeMoments.of(x, DATA.means());
        double variance = 0;
        for (int k = 0; k < 8; k++) {
            variance += cells.fractions()[k] * (cells.sds()[k][0] * cells.sds()[k][0] + cells.sds()[k][1] * cells.sds()[k][1]) / 2;
        }
        return variance;
    }

    /** The floor is FLOOR_DRAWS data-versus-data scores: each metric's mean and standard error over those draws. */
    @Test
    void floorIsTheDataVersusDataDistribution() {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleQuality quality = SampleQuality.against(DATA.sample(m, 500, 1), DATA);
            Map<SampleQuality.Metric, MonteCarlo.Estimate> floor = quality.floor(m, DATA, 500, 10);
            double[] energies = new double[SampleQuality.FLOOR_DRAWS];
            for (int r = 0; r < energies.length; r++) {
                energies[r] = quality.of(DATA.sample(m, 500, 10 + r)).energy();
            }
            assertEquals(MonteCarlo.estimate(energies), floor.get(SampleQuality.Metric.ENERGY));
            assertEquals(5, floor.size());
            assertTrue(floor.get(SampleQuality.Metric.PRECISION).mean() > 0.9, "data covers data: " + floor);
        }
    }

    /** The floor row holds the same draws as the floor, and its samples are the first data set (the seed's). */
    @Test
    void floorEntryIsARowOfTheSameDraws() {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleQuality quality = SampleQuality.against(DATA.sample(m, 500, 1), DATA);
            SamplerComparison.Entry floor = quality.floorEntry(m, DATA, 500, 10);
            assertEquals(SampleQuality.FLOOR_DRAWS, floor.scores().size());
            assertEquals(quality.floor(m, DATA, 500, 10).get(SampleQuality.Metric.ENERGY), floor.estimate(SampleQuality.Metric.ENERGY));
            assertEquals(quality.of(DATA.sample(m, 500, 10)), floor.scores().get(0));
            assertTrue(DATA.sample(m, 500, 10).contentEquals(floor.firstSamples()));
            assertEquals(0, floor.nfe());
        }
    }
}
