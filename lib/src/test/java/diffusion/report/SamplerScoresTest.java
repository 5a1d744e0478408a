package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.loss.Decoder;
import diffusion.loss.VariationalBound;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.SubsequenceModel;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.ChainModel;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

class SamplerScoresTest {

    private static final GaussianMixture DATA = GaussianMixture.gaussian(new double[] {0.5, -1.0}, new double[] {0.3, 2.0});

    /** The row equals what the notebook computed by hand: the chain's bound, and the sample-quality scores of seeded samples. */
    @Test
    void scoresMatchTheHandWrittenComputation() {
        NoiseSchedule schedule = NoiseSchedule.linear(200);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, schedule);
        Timesteps steps = Timesteps.uniform(schedule, 20);
        TimeGrid grid = TimeGrid.of(steps);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray reference = DATA.sample(m, 300, 1);
            NDArray fresh = DATA.sample(m, 300, 2);
            ChainModel chain = ChainModel.ddpm(new SubsequenceModel(oracle, steps), ReverseVariance.BETA);
            GeneralisedReverse sampler = GeneralisedReverse.ddpm(ReverseVariance.BETA);
            SamplerScores.Scores scores = SamplerScores.against(SampleQuality.against(reference), 300).boundOn(fresh, 3).noiseSeed(4).score(m, oracle, sampler, grid, chain);

            VariationalBound.Evaluation e = new VariationalBound(steps.subSchedule(), Decoder.GAUSSIAN).evaluate(chain, fresh, 3);
            NDArray samples = sampler.sample(m, oracle, grid, Noise.seeded(4), Monitor.quiet(), 300).samples();
            assertEquals(e.bitsPerDim(), scores.bitsPerDim(), 1e-9);
            assertEquals(e.bitsPerDimError(), scores.bitsPerDimError(), 1e-9);
            assertEquals(SampleQuality.against(reference).of(samples), scores.quality());
            assertEquals(20, scores.nfe());
        }
    }

    /** Without a chain the bound is NaN; a chain without evaluation data is refused. */
    @Test
    void noChainMeansNoBound() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, schedule);
        Timesteps steps = Timesteps.uniform(schedule, 10);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray reference = DATA.sample(m, 100, 1);
            SamplerScores scorer = SamplerScores.against(SampleQuality.against(reference), 100);
            SamplerScores.Scores scores = scorer.score(m, oracle, GeneralisedReverse.ddim(0), TimeGrid.of(steps), null);
            assertTrue(Double.isNaN(scores.bitsPerDim()) && Double.isNaN(scores.bitsPerDimError()));
            assertTrue(scores.quality().slicedW2() > 0 && scores.quality().slicedW2() < 1, "sliced W2 " + scores.quality().slicedW2());
            ChainModel chain = ChainModel.ddpm(new SubsequenceModel(oracle, steps), ReverseVariance.BETA);
            assertThrows(IllegalStateException.class, () -> scorer.score(m, oracle, GeneralisedReverse.ddpm(ReverseVariance.BETA), TimeGrid.of(steps), chain));
        }
    }
}
