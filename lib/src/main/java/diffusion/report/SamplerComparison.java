package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.metrics.MonteCarlo;
import diffusion.sample.Sampler;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The loop of a sampler-comparison table: each row (a name, a Sampler and the TimeGrid it walks on the model's kernel)
 * is run `seeds` times with Noise.seeded(firstSeed + s), s = 0..seeds-1, from n prior draws, and scored by one
 * SampleQuality (its reference and, for mixtures, its modes). Every row sees the same seeds, so two rows compare by the
 * paired test (Verdict.paired, rank). A row the sampler refuses (IllegalArgumentException before any work, e.g.
 * ancestral sampling under sub-VP) or that diverges (DivergedException) is reported on System.out and left out.
 */
public final class SamplerComparison {

    /** One row: a name for tables, the sampler and its grid on a given kernel. */
    public record Row(String name, Sampler sampler, Function<PerturbationKernel, TimeGrid> grid) {

        /** Refuses a null component, naming it. */
        public Row {
            Arguments.allNonNull("name, sampler, grid", name, sampler, grid);
        }
    }

    /** The outcome of one row: NFE per sample, the scores of every seed, wall-clock seconds per run, the first seed's samples. */
    public record Entry(String row, int nfe, List<SampleQuality.Scores> scores, double seconds, NDArray firstSamples) {

        /** Refuses a null component, naming it. */
        public Entry {
            Arguments.allNonNull("row, scores, firstSamples", row, scores, firstSamples);
        }

        /** The metric over the seeds. */
        public double[] values(SampleQuality.Metric metric) {
            return metric.of(scores);
        }

        /** Its mean and standard error over the seeds (NaN error for one seed). */
        public MonteCarlo.Estimate estimate(SampleQuality.Metric metric) {
            return MonteCarlo.estimate(values(metric));
        }
    }

    private final List<Row> rows;
    private final int n;
    private final long firstSeed;
    private final int seeds;
    private final SampleQuality quality;

    /** Rows compared on n &gt;= 1 samples, seeds &gt;= 1 runs each from firstSeed on, scored by quality. */
    public SamplerComparison(List<Row> rows, int n, long firstSeed, int seeds, SampleQuality quality) {
        this.rows = List.copyOf(Arguments.nonNull("rows", rows));
        this.n = Arguments.atLeast("n", n, 1);
        this.firstSeed = firstSeed;
        this.seeds = Arguments.atLeast("seeds", seeds, 1);
        this.quality = Arguments.nonNull("quality", quality);
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
        List<SampleQuality.Scores> scores = new ArrayList<>();
        int nfe = 0;
        double seconds = 0;
        NDArray first = null;
        for (int s = 0; s < seeds; s++) {
            try (NDManager scope = manager.newSubManager()) {
                long start = System.nanoTime();
                Sampler.Result result = row.sampler().sample(scope, model, grid, Noise.seeded(firstSeed + s), monitor, n);
                seconds += (System.nanoTime() - start) / 1e9 / seeds;
                nfe = result.nfe();
                scores.add(quality.of(result.samples()));
                if (s == 0) {
                    first = result.samples();
                    first.attach(manager);
                }
            }
        }
        return new Entry(row.name(), nfe, List.copyOf(scores), seconds, first);
    }

    /** The ranking of entries (at least two) on metric by the paired test over their shared seeds. */
    public static Verdict.Ranking rank(List<Entry> entries, SampleQuality.Metric metric) {
        Map<String, double[]> values = new LinkedHashMap<>();
        entries.forEach(e -> values.put(e.row(), e.values(metric)));
        return Verdict.rank(metric.label(), metric.better(), values, true);
    }

    /** A table: row, NFE, seconds, then mean and SE over the seeds of each metric. */
    public static Tables.Builder table(String name, List<Entry> entries, List<SampleQuality.Metric> metrics) {
        Arguments.allNonNull("name, entries, metrics", name, entries, metrics);
        Tables.Builder table = SampleQuality.table(name, List.of("sampler", "NFE", "seconds"), metrics);
        entries.forEach(e -> SampleQuality.row(table, List.of(e.row(), e.nfe(), e.seconds()), metrics, e::estimate));
        return table;
    }
}
