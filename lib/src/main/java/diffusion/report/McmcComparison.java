package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Progress;
import diffusion.data.DataSource;
import diffusion.metrics.ModeWeights;
import diffusion.metrics.MonteCarlo;
import diffusion.mcmc.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The loop of an equal-budget comparison of samplers of an unnormalised target (ULA, MALA, RDMC) over seeds: for seed
 * s = 0..seeds-1 every sampler starts from the same particles (start.sample(particles, firstSeed + s), e.g. N(0, I))
 * and draws its noise from seed firstSeed + s, and its final particles are scored by one SampleQuality. Every sampler
 * sees the same seeds, so two samplers compare by the paired test (rank, paired). With modes, the fraction of the
 * particles nearest each mode is kept per seed (a per-mode diagnostic); with a trace, a function of the snapshots of
 * every run (e.g. the mode-weight error along the run). The first seed's Run (samples and snapshots) is kept.
 */
public final class McmcComparison {

    /** One sampler: a run from the start particles (P, d) with noise seed seed, its outputs in manager. */
    @FunctionalInterface
    public interface Sampler {
        Run run(NDManager manager, NDArray start, long seed);
    }

    /**
     * The outcome of one sampler over the seeds: scores per seed, mode fractions per seed (empty without modes), the
     * trace per seed (empty without one) at the fractions of the run traceProgress, the cost per final particle
     * (means over seeds), the mean acceptance rate (NaN without Metropolis steps), mean seconds per run, the first run.
     */
    public record Entry(String name, List<SampleQuality.Scores> scores, double[][] modeFractions, double[][] trace,
            double[] traceProgress, double evaluationsPerParticle, double gradientEvaluationsPerParticle,
            double acceptanceRate, double seconds, Run first) {

        /** Refuses a null component, naming it. */
        public Entry {
            Arguments.allNonNull("name, scores, modeFractions, trace, traceProgress, first",
                    name, scores, modeFractions, trace, traceProgress, first);
        }

        /** The metric over the seeds. */
        public double[] values(SampleQuality.Metric metric) {
            return metric.of(scores);
        }

        /** Its mean and standard error over the seeds. */
        public MonteCarlo.Estimate estimate(SampleQuality.Metric metric) {
            return MonteCarlo.estimate(values(metric));
        }

        /** The fraction of particles nearest mode k, over the seeds. */
        public MonteCarlo.Estimate modeFraction(int k) {
            double[] values = new double[modeFractions.length];
            for (int s = 0; s < values.length; s++) {
                values[s] = modeFractions[s][k];
            }
            return MonteCarlo.estimate(values);
        }

        /** The trace at snapshot i over the seeds. */
        public MonteCarlo.Estimate traceAt(int i) {
            double[] values = new double[trace.length];
            for (int s = 0; s < values.length; s++) {
                values[s] = trace[s][i];
            }
            return MonteCarlo.estimate(values);
        }
    }

    private final Map<String, Sampler> samplers;
    private final DataSource start;
    private final int particles;
    private final long firstSeed;
    private final int seeds;
    private final SampleQuality quality;
    private double[][] modes;
    private ToDoubleFunction<NDArray> trace;

    /** Samplers (name to sampler, in order) from particles &gt;= 2 start draws, seeds &gt;= 1 runs each from firstSeed on. */
    public McmcComparison(Map<String, Sampler> samplers, DataSource start, int particles, long firstSeed, int seeds,
            SampleQuality quality) {
        Arguments.allNonNull("samplers, start, quality", samplers, start, quality);
        this.samplers = new LinkedHashMap<>(samplers);
        if (this.samplers.isEmpty()) {
            throw new IllegalArgumentException("samplers is empty: need at least one sampler");
        }
        this.start = start;
        this.particles = Arguments.atLeast("particles", particles, 2);
        this.firstSeed = firstSeed;
        this.seeds = Arguments.atLeast("seeds", seeds, 1);
        this.quality = quality;
    }

    /** Keeps the fraction of particles nearest each of modes [K][d] per seed. */
    public McmcComparison modes(double[][] modeMeans) {
        this.modes = Arguments.nonNull("modes", modeMeans).clone();
        return this;
    }

    /** Evaluates f at every snapshot of every run (the samplers must be built to take snapshots). */
    public McmcComparison trace(ToDoubleFunction<NDArray> f) {
        this.trace = Arguments.nonNull("trace", f);
        return this;
    }

    /** Runs every sampler on every seed (one progress line); first runs and their snapshots live in manager. */
    public List<Entry> run(NDManager manager, String label) {
        List<Entry> entries = new ArrayList<>();
        try (Progress progress = new Progress(label, (long) samplers.size() * seeds)) {
            int done = 0;
            for (Map.Entry<String, Sampler> sampler : samplers.entrySet()) {
                entries.add(run(manager, sampler.getKey(), sampler.getValue(), progress, done));
                done += seeds;
            }
        }
        return entries;
    }

    private Entry run(NDManager manager, String name, Sampler sampler, Progress progress, int done) {
        List<SampleQuality.Scores> scores = new ArrayList<>();
        double[][] fractions = new double[modes == null ? 0 : seeds][];
        double[][] traces = new double[trace == null ? 0 : seeds][];
        double[] traceProgress = new double[0];
        double evaluations = 0;
        double gradients = 0;
        double acceptance = 0;
        double seconds = 0;
        Run first = null;
        for (int s = 0; s < seeds; s++) {
            NDManager scope = manager.newSubManager();
            try {
                long seed = firstSeed + s;
                NDArray initial = start.sample(scope, particles, seed);
                long started = System.nanoTime();
                Run run = sampler.run(scope, initial, seed);
                seconds += (System.nanoTime() - started) / 1e9 / seeds;
                scores.add(quality.of(run.samples()));
                evaluations += run.evaluationsPerParticle() / seeds;
                gradients += (double) run.gradientEvaluations() / run.particles() / seeds;
                acceptance += run.acceptanceRate() / seeds;
                if (modes != null) {
                    fractions[s] = ModeWeights.fractions(run.samples(), modes);
                }
                if (trace != null) {
                    List<Run.Snapshot> snapshots = run.trajectory();
                    int last = snapshots.get(snapshots.size() - 1).step();
                    traces[s] = snapshots.stream().mapToDouble(snapshot -> trace.applyAsDouble(snapshot.state())).toArray();
                    traceProgress = snapshots.stream().mapToDouble(snapshot -> last == 0 ? 0 : (double) snapshot.step() / last).toArray();
                }
                if (s == 0) {
                    first = run;
                    run.samples().attach(manager);
                    run.trajectory().forEach(snapshot -> snapshot.state().attach(manager));
                }
            } finally {
                scope.close();
            }
            progress.update(done + s + 1, name + ", seed " + (s + 1) + "/" + seeds);
        }
        return new Entry(name, List.copyOf(scores), fractions, traces, traceProgress, evaluations, gradients, acceptance, seconds, first);
    }

    /** The entry named name. */
    public static Entry find(List<Entry> entries, String name) {
        Arguments.allNonNull("entries, name", entries, name);
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no entry named " + name));
    }

    /** The ranking of entries (at least two) on metric by the paired test over their shared seeds. */
    public static Verdict.Ranking rank(List<Entry> entries, SampleQuality.Metric metric) {
        Map<String, double[]> values = new LinkedHashMap<>();
        entries.forEach(e -> values.put(e.name(), e.values(metric)));
        return Verdict.rank(metric.label(), metric.better(), values, true);
    }

    /** Entry a against entry b on metric, paired over their shared seeds. */
    public static Verdict.Comparison paired(List<Entry> entries, SampleQuality.Metric metric, String a, String b) {
        Arguments.allNonNull("entries, metric, a, b", entries, metric, a, b);
        return Verdict.paired(metric.label(), metric.better(), a, find(entries, a).values(metric), b, find(entries, b).values(metric));
    }

    /** Entry a against the data-versus-data floor draws on metric (Welch: the draws are independent of the runs). */
    public static Verdict.Comparison againstFloor(List<Entry> entries, SampleQuality.Metric metric, String a,
            List<SampleQuality.Scores> floor) {
        Arguments.allNonNull("entries, metric, a, floor", entries, metric, a, floor);
        return Verdict.compare(metric.label(), metric.better(), a, find(entries, a).values(metric), "exact samples (floor)",
                metric.of(floor));
    }

    /**
     * The scores of SampleQuality.FLOOR_DRAWS fresh data sets of n points (seeds seed, seed + 1, ...) against the
     * reference: the data-versus-data floor as a distribution (SampleQuality.floor gives its mean and SE).
     */
    public static List<SampleQuality.Scores> floorDraws(SampleQuality quality, NDManager manager, DataSource data, int n, long seed) {
        List<SampleQuality.Scores> draws = new ArrayList<>();
        for (int r = 0; r < SampleQuality.FLOOR_DRAWS; r++) {
            try (NDManager scope = manager.newSubManager()) {
                draws.add(quality.of(data.sample(scope, n, seed + r)));
            }
        }
        return List.copyOf(draws);
    }

    /**
     * A table: sampler, evaluations and gradient evaluations per particle, acceptance rate, seconds per run, then mean
     * and SE over the seeds of each metric; with floor (may be null) a first row "exact samples (floor, 10 draws)"
     * with the mean and SE over its draws.
     */
    public static Tables.Builder table(String name, List<Entry> entries, List<SampleQuality.Metric> metrics,
            List<SampleQuality.Scores> floor) {
        Arguments.allNonNull("name, entries, metrics", name, entries, metrics);
        Tables.Builder table = SampleQuality.table(name, List.of("sampler", "evaluations per particle",
                "gradient evaluations per particle", "acceptance rate", "seconds per run"), metrics);
        if (floor != null) {
            SampleQuality.row(table, List.of("exact samples (floor, " + floor.size() + " draws)", 0.0, 0.0, Double.NaN, 0.0), metrics,
                    m -> MonteCarlo.estimate(m.of(floor)));
        }
        entries.forEach(e -> SampleQuality.row(table, List.of(e.name(), e.evaluationsPerParticle(), e.gradientEvaluationsPerParticle(),
                e.acceptanceRate(), e.seconds()), metrics, e::estimate));
        return table;
    }

    /**
     * The per-mode table: one row per sampler with the fraction of its particles nearest each mode (mean and SE over
     * the seeds), under a first row with the target weights (SE 0); weights has one entry per mode.
     */
    public static Tables.Builder modeTable(String name, List<Entry> entries, double[] weights) {
        Arguments.allNonNull("name, entries, weights", name, entries, weights);
        List<String> columns = new ArrayList<>(List.of("sampler"));
        for (int k = 0; k < weights.length; k++) {
            columns.add("mode " + (k + 1) + " fraction");
            columns.add("mode " + (k + 1) + " SE");
        }
        Tables.Builder table = Tables.of(name, columns.toArray(String[]::new));
        List<Object> target = new ArrayList<>(List.of("target weights"));
        for (double w : weights) {
            target.add(w);
            target.add(0.0);
        }
        table.row(target.toArray());
        for (Entry e : entries) {
            if (e.modeFractions().length != 0 && e.modeFractions()[0].length != weights.length) {
                throw new IllegalArgumentException(e.name() + " has " + e.modeFractions()[0].length + " modes, weights " + weights.length);
            }
            List<Object> row = new ArrayList<>(List.of(e.name()));
            for (int k = 0; k < weights.length; k++) {
                MonteCarlo.Estimate estimate = e.modeFractions().length == 0 ? new MonteCarlo.Estimate(Double.NaN, Double.NaN) : e.modeFraction(k);
                row.add(estimate.mean());
                row.add(estimate.standardError());
            }
            table.row(row.toArray());
        }
        return table;
    }

    /**
     * The floor as a distribution: per metric the mean, the standard deviation of the draws, their minimum and maximum
     * and the number of draws.
     */
    public static Tables.Builder floorTable(String name, List<SampleQuality.Scores> floor, List<SampleQuality.Metric> metrics) {
        Arguments.allNonNull("name, floor, metrics", name, floor, metrics);
        Tables.Builder table = Tables.of(name, "metric", "mean", "sd of the draws", "min", "max", "draws");
        for (SampleQuality.Metric m : metrics) {
            double[] values = m.of(floor);
            MonteCarlo.Estimate estimate = MonteCarlo.estimate(values);
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            table.row(m.label(), estimate.mean(), estimate.standardError() * Math.sqrt(values.length), min, max, values.length);
        }
        return table;
    }
}
