package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.loss.Decoder;
import diffusion.loss.VariationalBound;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ReverseModel;
import diffusion.score.ScoreModel;

/**
 * Scores one sampler the way the steps sweeps of the notebooks do: as many samples as the reference holds, drawn on a
 * grid with a seeded noise source, against the reference (unbiased MMD^2 with the median bandwidth, sliced W2), and,
 * where the sampler's reverse chain has a density, the exact variational bound of that chain on evaluation data (in
 * bits/dim, with a Gaussian decoder, on the chain's own schedule). Every sampler scored by one instance sees the same
 * noise seed, reference and evaluation data, so rows differ only by the sampler.
 */
public final class SamplerScores {

    /** One row: the bound (NaN without a chain), its standard error, MMD^2, sliced W2 and the NFE per sample. */
    public record Scores(double bitsPerDim, double bitsPerDimError, double mmd, double slicedW2, int nfe) {
    }

    private final NDArray reference;
    private final NDArray boundData;
    private final long boundSeed;
    private final long sampleSeed;
    private final Monitor monitor;

    private SamplerScores(NDArray reference, NDArray boundData, long boundSeed, long sampleSeed, Monitor monitor) {
        this.reference = reference;
        this.boundData = boundData;
        this.boundSeed = boundSeed;
        this.sampleSeed = sampleSeed;
        this.monitor = monitor;
    }

    /** Scores against reference samples (n, d) with SampleQuality: n samples per sampler, noise seed 0, quiet. */
    public static SamplerScores against(NDArray reference) {
        return new SamplerScores(reference, null, 0, 0, Monitor.quiet());
    }

    /** The bound is evaluated on data (n, d) with the bound's own Monte Carlo seed. */
    public SamplerScores boundOn(NDArray data, long seed) {
        return new SamplerScores(reference, data, seed, sampleSeed, monitor);
    }

    /** Every sampler draws from Noise.seeded(seed). */
    public SamplerScores noiseSeed(long seed) {
        return new SamplerScores(reference, boundData, boundSeed, seed, monitor);
    }

    /** The monitor each sampling run reports to. */
    public SamplerScores monitor(Monitor runMonitor) {
        return new SamplerScores(reference, boundData, boundSeed, sampleSeed, runMonitor);
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
            int n = (int) reference.getShape().get(0);
            Sampler.Result result = sampler.sample(scope, model, grid, Noise.seeded(sampleSeed), monitor, n);
            SampleQuality.Scores quality = SampleQuality.against(reference).of(result.samples());
            return new Scores(bits, error, quality.mmd(), quality.slicedW2(), result.nfe());
        }
    }
}
