package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.sample.Sampler;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The loop of a sampler-comparison table: each row (a name, a Sampler and the TimeGrid it walks on the model's kernel)
 * is run `seeds` times with Noise.seeded(firstSeed + s), s = 0..seeds-1, from n prior draws, and scored against a
 * reference sample by SampleQuality (MMD^2 at the median bandwidth, sliced W2 over fixed directions). A row the sampler refuses (IllegalArgumentException before any work, e.g. ancestral sampling
 * under sub-VP) or that diverges (DivergedException) is reported on System.out and left out of the result.
 */
public final class SamplerComparison {

    /** One row: a name for tables, the sampler and its grid on a given kernel. */
    public record Row(String name, Sampler sampler, Function<PerturbationKernel, TimeGrid> grid) {
    }

    /**
     * The outcome of one row: NFE per sample, MMD^2 and sliced W2 averaged over the seeds, the standard error of the mean
     * sliced W2 (sd / sqrt(seeds), NaN for one seed), wall-clock seconds per run, and the first seed's samples.
     */
    public record Entry(String row, int nfe, double mmd, double slicedW2, double slicedW2StandardError, double seconds,
            NDArray firstSamples) {
    }

    private final List<Row> rows;
    private final int n;
    private final long firstSeed;
    private final int seeds;
    private final NDArray reference;

    /** Rows compared on n &gt;= 1 samples, seeds &gt;= 1 runs each from firstSeed on, against reference (m, d). */
    public SamplerComparison(List<Row> rows, int n, long firstSeed, int seeds, NDArray reference) {
        this.rows = List.copyOf(Arguments.nonNull("rows", rows));
        this.n = Arguments.atLeast("n", n, 1);
        this.firstSeed = firstSeed;
        this.seeds = Arguments.atLeast("seeds", seeds, 1);
        this.reference = Arguments.nonNull("reference", reference);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Every row with model, in row order (refused and diverged rows left out); the first samples live in manager. */
    public List<Entry> run(NDManager manager, ScoreModel model, Monitor monitor) {
        List<Entry> entries = new ArrayList<>();
        for (Row row : rows) {
            try {
                entries.add(run(manager, model, row, monitor));
            } catch (IllegalArgumentException refusal) {
                System.out.println(model.kernel() + ", " + row.name() + ": refused (" + refusal.getMessage() + ")");
            } catch (DivergedException diverged) {
                System.out.println(model.kernel() + ", " + row.name() + ": diverged (" + diverged.getMessage() + ")");
            }
        }
        return entries;
    }

    /** One row with model; an IllegalArgumentException of the sampler propagates. */
    public Entry run(NDManager manager, ScoreModel model, Row row, Monitor monitor) {
        TimeGrid grid = row.grid().apply(model.kernel());
        double[] mmd = new double[seeds];
        double[] w2 = new double[seeds];
        int nfe = 0;
        double seconds = 0;
        NDArray first = null;
        for (int s = 0; s < seeds; s++) {
            try (NDManager scope = manager.newSubManager()) {
                long start = System.nanoTime();
                Sampler.Result result = row.sampler().sample(scope, model, grid, Noise.seeded(firstSeed + s), monitor, n);
                seconds += (System.nanoTime() - start) / 1e9 / seeds;
                nfe = result.nfe();
                SampleQuality.Scores quality = SampleQuality.against(reference).of(result.samples());
                mmd[s] = quality.mmd();
                w2[s] = quality.slicedW2();
                if (s == 0) {
                    first = result.samples();
                    first.attach(manager);
                }
            }
        }
        double meanW2 = mean(w2);
        double se = seeds > 1 ? Math.sqrt(sumOfSquares(w2, meanW2) / (seeds - 1) / seeds) : Double.NaN;
        return new Entry(row.name(), nfe, mean(mmd), meanW2, se, seconds, first);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double sumOfSquares(double[] values, double mean) {
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum;
    }
}
