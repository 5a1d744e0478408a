package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.mcmc.ExactScore;
import diffusion.mcmc.Langevin;
import diffusion.mcmc.MixtureTarget;
import diffusion.mcmc.ReverseDiffusionMonteCarlo;
import diffusion.metrics.ModeWeights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seeded loop of an MCMC comparison: shared starts and seeds, scores, mode fractions, traces, tables. */
class McmcComparisonTest extends ManagedTest {

    private static final MixtureTarget TARGET = MixtureTarget.axes(2, 4.0, 0.5, 1, 3);
    private static final GaussianMixture START = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1});

    @Test
    void runsEverySamplerOnSharedSeeds() {
        NDArray reference = TARGET.mixture().sample(manager, 800, 1);
        SampleQuality quality = SampleQuality.against(reference, TARGET.mixture());
        Map<String, McmcComparison.Sampler> samplers = new LinkedHashMap<>();
        samplers.put("ULA", (m, start, seed) -> Langevin.ula(0.05, 40).run(m, TARGET, start, seed, 4));
        samplers.put("RDMC, exact score", (m, start, seed) ->
                new ReverseDiffusionMonteCarlo(2, 0.1, new ExactScore(TARGET.mixture())).run(m, TARGET, start, seed, 4));
        McmcComparison comparison = new McmcComparison(samplers, START, 400, 5, 3, quality).modes(TARGET.modes())
                .trace(x -> ModeWeights.error(x, TARGET.modes(), TARGET.modeWeights()));
        List<McmcComparison.Entry> entries = comparison.run(manager, "test");
        assertEquals(2, entries.size());
        McmcComparison.Entry ula = McmcComparison.find(entries, "ULA");
        assertEquals(3, ula.scores().size());
        assertEquals(40, ula.evaluationsPerParticle(), 1e-12, "one gradient per ULA step");
        assertEquals(40, ula.gradientEvaluationsPerParticle(), 1e-12);
        assertEquals(quality.of(ula.first().samples()).energy(), ula.values(SampleQuality.Metric.ENERGY)[0], 1e-12,
                "seed 0's scores are the kept run's");
        double sum = 0;
        for (double f : ula.modeFractions()[1]) {
            sum += f;
        }
        assertEquals(1, sum, 1e-9);
        assertEquals(5, ula.trace()[0].length, "step 0 and 4 snapshots");
        assertEquals(1.0, ula.traceProgress()[4], 1e-12);
        assertEquals(ula.modeFraction(0).mean(), MonteCarloMean.of(ula.modeFractions(), 0), 1e-12);
        McmcComparison.Entry exact = McmcComparison.find(entries, "RDMC, exact score");
        Verdict.Comparison c = McmcComparison.paired(entries, SampleQuality.Metric.MODE_WEIGHT_ERROR, "RDMC, exact score", "ULA");
        assertEquals(3, c.seedsA());
        assertTrue(exact.estimate(SampleQuality.Metric.MODE_WEIGHT_ERROR).mean() < ula.estimate(SampleQuality.Metric.MODE_WEIGHT_ERROR).mean(),
                "ULA keeps the N(0, I) basin masses (1/2, 1/2), RDMC moves towards (1/4, 3/4)");
        List<SampleQuality.Scores> floor = McmcComparison.floorDraws(quality, manager, TARGET.mixture(), 400, 50);
        assertEquals(SampleQuality.FLOOR_DRAWS, floor.size());
        assertEquals(3, McmcComparison.table("t", entries, quality.metrics(), floor).table().rowCount());
        assertEquals(3, McmcComparison.modeTable("m", entries, TARGET.modeWeights()).table().rowCount());
        assertEquals(5, McmcComparison.floorTable("f", floor, quality.metrics()).table().rowCount());
        McmcComparison.againstFloor(entries, SampleQuality.Metric.ENERGY, "ULA", floor);
        McmcComparison.rank(entries, SampleQuality.Metric.ENERGY);
        assertThrows(IllegalArgumentException.class, () -> McmcComparison.find(entries, "MALA"));
        ula.first().samples().close();
    }

    /** The mean of column k of rows. */
    private static final class MonteCarloMean {
        static double of(double[][] rows, int k) {
            double sum = 0;
            for (double[] row : rows) {
                sum += row[k] / rows.length;
            }
            return sum;
        }
    }
}
