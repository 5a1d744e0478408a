package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.loss.Decoder;
import diffusion.loss.VariationalBound;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ReverseModel;
import diffusion.score.ScoreModel;

/**
 * Scores one sampler the way the steps sweeps of the notebooks do: n samples drawn on a
 * grid with a seeded noise source, scored by one SampleQuality, and,
 * where the sampler's reverse chain has a density, the exact variational bound of that chain on evaluation data (in
 * bits/dim, with a Gaussian decoder, on the chain's own schedule). Every sampler scored by one instance sees the same
 * noise seed, reference and evaluation data, so rows differ only by the sampler.
 */
public final class SamplerScores {

    /** One row: the bound (NaN without a chain), its standard error, the sample-quality scores and the NFE per sample. */
    public record Scores(double bitsPerDim, double bitsPerDimError, SampleQuality.Scores quality, int nfe) {

        /** Refuses a null component, naming it. */
        public Scores {
            Arguments.nonNull("quality", quality);
        }
    }

    private final SampleQuality quality;
    private final int n;
    private final NDArray boundData;
    private final long boundSeed;
    private final long sampleSeed;
    private final Monitor monitor;

    private SamplerScores(SampleQuality quality, int n, NDArray boundData, long boundSeed, long sampleSeed, Monitor monitor) {
        this.quality = quality;
        this.n = n;
        this.boundData = boundData;
        this.boundSeed = boundSeed;
        this.sampleSeed = sampleSeed;
        this.monitor = monitor;
    }

    /** Scores n &gt;= 1 samples per sampler with quality: noise seed 0, quiet. */
    public static SamplerScores against(SampleQuality quality, int n) {
        return new SamplerScores(diffusion.Arguments.nonNull("quality", quality), diffusion.Arguments.atLeast("n", n, 1), null, 0, 0, Monitor.quiet());
    }

    /** The bound is evaluated on data (n, d) with the bound's own Monte Carlo seed. */
    public SamplerScores boundOn(NDArray data, long seed) {
        return new SamplerScores(quality, n, data, seed, sampleSeed, monitor);
    }

    /** Every sampler draws from Noise.seeded(seed). */
    public SamplerScores noiseSeed(long seed) {
        return new SamplerScores(quality, n, boundData, boundSeed, seed, monitor);
    }

    /** The monitor each sampling run reports to. */
    public SamplerScores monitor(Monitor runMonitor) {
        return new SamplerScores(quality, n, boundData, boundSeed, sampleSeed, runMonitor);
    }

    /**
     * Samples with sampler on grid and scores them; chain (may be null: no density, the bound is NaN) is the reverse
     * chain the sampler walks, for the bound. Everything but the returned numbers is closed.
     */
    public Scores score(NDManager manager, ScoreModel model, Sampler sampler, TimeGrid grid, ReverseModel chain) {
        if (chain != null && boundData == null) {
            throw new IllegalStateException("a chain was given but no evaluation data: call boundOn(data, seed) first");
        }
        try (NDManager scope = manager.newSubManager()) {
            double bits = Double.NaN;
            double error = Double.NaN;
            if (chain != null) {
                VariationalBound.Evaluation e = new VariationalBound(chain.schedule(), Decoder.GAUSSIAN).evaluate(chain, boundData, boundSeed);
                bits = e.bitsPerDim();
                error = e.bitsPerDimError();
            }
            Sampler.Result result = sampler.sample(scope, model, grid, Noise.seeded(sampleSeed), monitor, n);
            return new Scores(bits, error, quality.of(result.samples()), result.nfe());
        }
    }
}
