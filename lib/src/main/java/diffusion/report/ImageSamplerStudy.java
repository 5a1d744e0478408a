package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.metrics.ClassifierScores;
import diffusion.metrics.FrechetDistance;
import diffusion.metrics.InceptionScore;
import diffusion.metrics.MonteCarlo;
import diffusion.nn.ImageClassifier;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Samplers on an image model, scored by a trained classifier over seeds: for each row (a sampler on a grid of a
 * model's kernel) and each seed s = 0..seeds-1, n samples drawn with Noise.seeded(seed + s) (the same noise seed for
 * every row, so rows can be compared paired over seeds), clipped to the data range [-1, 1], then the Frechet distance
 * of the classifier's features to a fixed reference Gaussian (the held-out real images' features) and the Inception
 * Score of its class probabilities, the NFE per sample and the sampling wall time. floor(...) gives the same
 * distance for n real images (from a pool disjoint from the reference) in place of the samples: the data-versus-data
 * level that no sampler can be expected to beat at this n.
 */
public final class ImageSamplerStudy {

    /** One sampler on one grid of model's kernel; steps is the label's step count (the grid's steps, say). */
    public record Row(String name, int steps, Sampler sampler, TimeGrid grid, ScoreModel model) {

        /** Refuses a null component, naming it. */
        public Row {
            Arguments.allNonNull("name, sampler, grid, model", name, sampler, grid, model);
        }
    }

    /**
     * A row's results per seed: FD and IS (NaN where a seed produced non-finite samples), seconds of sampling; nfe per
     * sample; shown: the first `keep` (clipped) samples of seed 0 (in the manager given to run), null when keep = 0.
     */
    public record Entry(String name, int steps, int nfe, double[] fd, double[] is, double[] seconds, int nonFinite, NDArray shown) {

        /** Refuses a null component, naming it. */
        public Entry {
            Arguments.allNonNull("name, fd, is, seconds", name, fd, is, seconds);
        }

        public MonteCarlo.Estimate fdEstimate() {
            return MonteCarlo.estimate(fd);
        }

        public MonteCarlo.Estimate isEstimate() {
            return MonteCarlo.estimate(is);
        }

        public MonteCarlo.Estimate secondsEstimate() {
            return MonteCarlo.estimate(seconds);
        }
    }

    /** The floor: FD of `draws` random n-subsets of real images to the reference; their values, mean and sd. */
    public record Floor(double[] fd, double[] is, int n) {

        /** Refuses a null component, naming it. */
        public Floor {
            Arguments.allNonNull("fd, is", fd, is);
        }

        public double mean() {
            return MonteCarlo.estimate(fd).mean();
        }

        /** The sample standard deviation over the draws. */
        public double sd() {
            return MonteCarlo.estimate(fd).standardError() * Math.sqrt(fd.length);
        }

        /** mean + k sd. */
        public double threshold(double k) {
            return mean() + k * sd();
        }
    }

    private final ImageClassifier classifier;
    private final int classes;
    private final FrechetDistance.Gaussian reference;
    private final int n;
    private final int seeds;
    private final long seed;
    private final int batchSize;

    /**
     * Scores with classifier (trained for `classes` classes) against reference (a Gaussian fitted to real features),
     * n &gt;= 2 samples per seed, seeds &gt;= 2 seeds from seed, scoring batches of batchSize.
     */
    public ImageSamplerStudy(ImageClassifier classifier, int classes, FrechetDistance.Gaussian reference, int n, int seeds, long seed, int batchSize) {
        this.classifier = Arguments.nonNull("classifier", classifier);
        this.classes = classes;
        this.reference = Arguments.nonNull("reference", reference);
        this.n = Arguments.atLeast("n", n, 2);
        this.seeds = Arguments.atLeast("seeds", seeds, 2);
        this.seed = seed;
        this.batchSize = Arguments.atLeast("batchSize", batchSize, 1);
        if (reference.dim() != classifier.featureWidth()) {
            throw new IllegalArgumentException("the reference has dimension " + reference.dim() + " but the classifier gives "
                    + classifier.featureWidth() + " features");
        }
    }

    /** Samples per seed. */
    public int n() {
        return n;
    }

    /** The number of seeds. */
    public int seeds() {
        return seeds;
    }

    /** FD and IS of one set of images (n, C, H, W); NaN for both if any value is not finite. */
    public double[] score(NDArray images) {
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray clipped = images.clip(-1, 1);
            clipped.attach(scope);
            try (ClassifierScores scores = ClassifierScores.of(classifier, classes, clipped, batchSize)) {
                return new double[] {FrechetDistance.of(FrechetDistance.Gaussian.fit(scores.features()), reference),
                        InceptionScore.of(scores.probabilities())};
            }
        }
    }

    /** Every row over every seed, keeping `keep` samples of seed 0 per row in manager. */
    public List<Entry> run(NDManager manager, List<Row> rows, int keep, Monitor monitor) {
        Arguments.atLeast("keep", keep, 0);
        List<Entry> entries = new ArrayList<>();
        for (Row row : rows) {
            double[] fd = new double[seeds], is = new double[seeds], seconds = new double[seeds];
            int nfe = 0, nonFinite = 0;
            NDArray shown = null;
            for (int s = 0; s < seeds; s++) {
                try (NDManager scope = manager.newSubManager()) {
                    long start = System.nanoTime();
                    Sampler.Result result = row.sampler().sample(scope, row.model(), row.grid(), Noise.seeded(seed + s), monitor, n);
                    NDArray samples = result.samples();
                    samples.sum().getFloat(); // wait for the computation before the clock stops
                    seconds[s] = (System.nanoTime() - start) / 1e9;
                    nfe = result.nfe();
                    boolean finite = samples.isNaN().logicalOr(samples.isInfinite()).any().getBoolean() == false;
                    if (finite) {
                        double[] score = score(samples);
                        fd[s] = score[0];
                        is[s] = score[1];
                    } else {
                        nonFinite++;
                        fd[s] = Double.NaN;
                        is[s] = Double.NaN;
                    }
                    if (s == 0 && keep > 0) {
                        shown = samples.get("0:" + Math.min(keep, n)).clip(-1, 1);
                        shown.attach(manager);
                    }
                }
            }
            entries.add(new Entry(row.name(), row.steps(), nfe, fd, is, seconds, nonFinite, shown));
        }
        return entries;
    }

    /** The floor: `draws` &gt;= 2 random n-subsets (without replacement, Random(seed)) of pool (N, C, H, W), N &gt;= n, scored as samples. */
    public Floor floor(NDArray pool, int draws, long floorSeed) {
        Arguments.atLeast("draws", draws, 2);
        long size = pool.getShape().get(0);
        if (size < n) {
            throw new IllegalArgumentException("pool has " + size + " images: a floor at n = " + n + " needs >= " + n);
        }
        Random random = new Random(floorSeed);
        double[] fd = new double[draws], is = new double[draws];
        for (int r = 0; r < draws; r++) {
            long[] rows = random.longs(0, size).distinct().limit(n).toArray();
            try (NDManager scope = pool.getManager().newSubManager()) {
                double[] score = score(pool.get(scope.create(rows)));
                fd[r] = score[0];
                is[r] = score[1];
            }
        }
        return new Floor(fd, is, n);
    }

    /** FD per seed of each entry by name (for Verdict.rank over rows, paired: the rows share their noise seeds). */
    public static Map<String, double[]> fdByName(List<Entry> entries) {
        Map<String, double[]> map = new LinkedHashMap<>();
        for (Entry e : entries) {
            map.put(e.name(), e.fd().clone());
        }
        return map;
    }

    /**
     * The table NAME: sampler, steps, NFE, FD mean / SE, IS mean / SE, seconds mean, non-finite seeds, then a floor
     * row (real images; NFE 0); the caption notes say these are not the papers' Inception-v3 numbers.
     */
    public static Tables.Builder table(String name, List<Entry> entries, Floor floor) {
        Arguments.allNonNull("name, entries", name, entries);
        Tables.Builder table = Tables.of(name, "sampler", "steps", "NFE", FrechetDistance.LABEL, "FD SE (over seeds)",
                InceptionScore.LABEL, "IS SE (over seeds)", "wall time (s per seed)", "non-finite seeds");
        for (Entry e : entries) {
            var fd = e.fdEstimate();
            var is = e.isEstimate();
            table.row(e.name(), e.steps(), e.nfe(), fd.mean(), fd.standardError(), is.mean(), is.standardError(), e.secondsEstimate().mean(), e.nonFinite());
        }
        if (floor != null) {
            var is = MonteCarlo.estimate(floor.is());
            table.row("data vs data floor (real images, " + floor.fd().length + " draws; SE column = sd)", 0, 0, floor.mean(), floor.sd(),
                    is.mean(), is.standardError() * Math.sqrt(floor.is().length), 0.0, 0);
        }
        return table;
    }
}
