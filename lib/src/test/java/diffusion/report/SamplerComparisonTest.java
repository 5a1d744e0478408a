package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.SubVpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison loop: NFE and metrics per row, seeds, the first samples, refused rows left out. */
class SamplerComparisonTest extends ManagedTest {

    private static final GaussianMixture DATA = Toy2D.eightGaussians();

    @Test
    void runsEveryRowAndLeavesOutRefusals() {
        SubVpSde sde = new SubVpSde(0.1, 20);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, sde);
        NDArray reference = DATA.sample(manager, 1000, 1);
        List<SamplerComparison.Row> rows = List.of(
                new SamplerComparison.Row("reverse diffusion, 50", PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION).thenDenoise(),
                        kernel -> TimeGrid.uniform(kernel, 50, 1e-3)),
                new SamplerComparison.Row("ancestral (refused under sub-VP)", PredictorCorrector.predictorOnly(Predictor.ANCESTRAL),
                        kernel -> TimeGrid.uniform(kernel, 50, 1e-3)));
        List<SamplerComparison.Entry> entries = new SamplerComparison(rows, 1000, 10, 2, SampleQuality.against(reference, DATA)).run(manager, oracle, Monitor.quiet());
        assertEquals(1, entries.size());
        SamplerComparison.Entry entry = entries.get(0);
        assertEquals("reverse diffusion, 50", entry.row());
        assertEquals(51, entry.nfe());
        assertEquals(1000, entry.firstSamples().getShape().get(0));
        assertEquals(2, entry.scores().size());
        double firstEnergy = SampleQuality.against(reference, DATA).of(entry.firstSamples()).energy();
        assertEquals(firstEnergy, entry.values(SampleQuality.Metric.ENERGY)[0], 1e-12, "seed 0's scores are its samples' scores");
        MonteCarlo.Estimate w2 = entry.estimate(SampleQuality.Metric.SLICED_W2);
        assertTrue(w2.standardError() > 0 && Double.isFinite(w2.standardError()), "two seeds differ: " + w2);
    }
}
