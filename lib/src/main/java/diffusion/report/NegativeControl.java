package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.DataSource;
import diffusion.data.GaussianMixture;
import diffusion.process.ReverseVariance;
import diffusion.sample.LectureAlgorithm2;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The negative control of the sample-quality metrics: can a metric, at sample size n, tell exact samples of a mixture
 * from samples with a known defect? For each of R replicates, a fresh reference of REFERENCE_FACTOR n data points is drawn, and the
 * metric (SampleQuality) scores against it a calibration sample of n exact points, a test sample of n exact points,
 * and n points of each defect. The threshold is the (1 - alpha) quantile of the R calibration scores (the alpha
 * quantile for a metric where higher is better); the false-positive rate is the fraction of exact test samples beyond
 * it, the detection rate (power) that of each defect. Both rates carry a binomial standard error sqrt(p (1 - p) / R).
 */
public final class NegativeControl {

    private NegativeControl() {
    }

    /** One metric at one n: its threshold, the false-positive rate, and the detection rate of each defect. */
    public record Result(SampleQuality.Metric metric, int n, int replicates, double threshold, double falsePositiveRate,
            Map<String, Double> detectionRate) {

        /** Refuses a null component, naming it. */
        public Result {
            Arguments.allNonNull("metric, detectionRate", metric, detectionRate);
        }

        /** The smallest detection rate over the defects. */
        public double weakestDetection() {
            return detectionRate.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }
    }

    /**
     * The standard defects: 10% more and less variance per component, mode 0 dropped, 10% of the mass moved off the
     * data (outliers), and the lecture's line 4 run on the exact score of data under schedule.
     */
    public static Map<String, DataSource> standardDefects(GaussianMixture data, NoiseSchedule schedule) {
        Map<String, DataSource> defects = new LinkedHashMap<>();
        defects.put("variance x 1.1", scaledVariance(data, 1.1));
        defects.put("variance x 0.9", scaledVariance(data, 0.9));
        defects.put("mode 0 dropped", droppedMode(data, 0));
        defects.put("10% outliers", withOutliers(data, 0.1, 4));
        defects.put("lecture's Algorithm 2", sampled("lecture_algorithm_2", new GaussianMixtureOracle(data, schedule),
                new LectureAlgorithm2(ReverseVariance.BETA_TILDE), TimeGrid.full(schedule)));
        return defects;
    }

    /** The mixture with every component variance multiplied by factor &gt; 0. */
    public static GaussianMixture scaledVariance(GaussianMixture data, double factor) {
        Arguments.positive("factor", factor);
        double[][] variances = data.variances();
        for (double[] v : variances) {
            for (int j = 0; j < v.length; j++) {
                v[j] *= factor; // var_k -> factor var_k
            }
        }
        return GaussianMixture.of(data.weights(), data.means(), variances);
    }

    /**
     * (1 - fraction) of the mixture plus fraction of a broad Gaussian N(mean, spread * Var) of the mixture's mean and
     * per-coordinate variance: mass where the data has little.
     */
    public static GaussianMixture withOutliers(GaussianMixture data, double fraction, double spread) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction = " + fraction + ": must lie in (0, 1)");
        }
        Arguments.positive("spread", spread);
        int components = data.components();
        double[] weights = new double[components + 1];
        double[][] means = new double[components + 1][];
        double[][] variances = new double[components + 1][];
        for (int k = 0; k < components; k++) {
            weights[k] = (1 - fraction) * data.weights()[k];
            means[k] = data.means()[k];
            variances[k] = data.variances()[k];
        }
        weights[components] = fraction;
        means[components] = data.mean();
        variances[components] = data.variance().clone();
        for (int j = 0; j < variances[components].length; j++) {
            variances[components][j] *= spread;
        }
        return GaussianMixture.of(weights, means, variances);
    }

    /** The mixture without component k (the other weights renormalised); needs at least two components. */
    public static GaussianMixture droppedMode(GaussianMixture data, int k) {
        int components = data.components();
        if (components < 2 || k < 0 || k >= components) {
            throw new IllegalArgumentException("k = " + k + ": need 0 <= k < " + components + " and at least two components");
        }
        double[] weights = new double[components - 1];
        double[][] means = new double[components - 1][];
        double[][] variances = new double[components - 1][];
        for (int i = 0, j = 0; i < components; i++) {
            if (i != k) {
                weights[j] = data.weights()[i];
                means[j] = data.means()[i];
                variances[j++] = data.variances()[i];
            }
        }
        return GaussianMixture.of(weights, means, variances);
    }

    /** The law of a sampler's output on model and grid, as a DataSource (seed s drives Noise.seeded(s)). */
    public static DataSource sampled(String name, ScoreModel model, Sampler sampler, TimeGrid grid) {
        Arguments.allNonNull("name, model, sampler, grid", name, model, sampler, grid);
        return new DataSource() {
            @Override
            public int dim() {
                return Math.toIntExact(model.sampleShape().get(0));
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public NDArray sample(NDManager manager, int n, long seed) {
                return sampler.sample(manager, model, grid, Noise.seeded(seed), Monitor.quiet(), n).samples();
            }
        };
    }

    /**
     * Every metric of SampleQuality with the mixture's modes, at n points, over replicates &gt;= 10 from seed; alpha in
     * (0, 1) is the nominal false-positive rate. Progress per replicate on monitor.
     */
    public static List<Result> run(NDManager manager, GaussianMixture data, Map<String, DataSource> defects, int n,
            int replicates, double alpha, long seed, Monitor monitor) {
        Arguments.atLeast("replicates", replicates, 10);
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha = " + alpha + ": must lie in (0, 1)");
        }
        SampleQuality.Metric[] metrics = SampleQuality.Metric.values();
        double[][] calibration = new double[metrics.length][replicates];
        double[][] test = new double[metrics.length][replicates];
        Map<String, double[][]> defective = new LinkedHashMap<>();
        defects.keySet().forEach(name -> defective.put(name, new double[metrics.length][replicates]));
        monitor.start("negative control, n = " + n, replicates);
        try {
            for (int r = 0; r < replicates; r++) {
                long base = seed + 100L * r;
                try (NDManager scope = manager.newSubManager()) {
                    SampleQuality quality = SampleQuality.against(data.sample(scope, SampleQuality.REFERENCE_FACTOR * n, base), data);
                    record(metrics, calibration, r, quality.of(data.sample(scope, n, base + 1)));
                    record(metrics, test, r, quality.of(data.sample(scope, n, base + 2)));
                    int d = 0;
                    for (Map.Entry<String, DataSource> defect : defects.entrySet()) {
                        record(metrics, defective.get(defect.getKey()), r, quality.of(defect.getValue().sample(scope, n, base + 3 + d++)));
                    }
                }
                monitor.step(r + 1, Double.NaN, null, "replicate " + (r + 1));
            }
        } finally {
            monitor.end();
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < metrics.length; i++) {
            boolean higherIsBetter = metrics[i].better() == Verdict.Better.HIGHER;
            double threshold = quantile(calibration[i], higherIsBetter ? alpha : 1 - alpha);
            Map<String, Double> detection = new LinkedHashMap<>();
            for (Map.Entry<String, double[][]> defect : defective.entrySet()) {
                detection.put(defect.getKey(), beyond(defect.getValue()[i], threshold, higherIsBetter));
            }
            results.add(new Result(metrics[i], n, replicates, threshold, beyond(test[i], threshold, higherIsBetter), detection));
        }
        return results;
    }

    /** The results as one table: metric, n, replicates, threshold, false-positive rate, then one detection column per defect. */
    public static Tables.Builder table(String name, List<Result> results) {
        Arguments.allNonNull("name, results", name, results);
        List<String> columns = new ArrayList<>(List.of("metric", "n", "replicates", "threshold", "false-positive rate"));
        List<String> defects = results.isEmpty() ? List.of() : List.copyOf(results.get(0).detectionRate().keySet());
        defects.forEach(d -> columns.add("detects " + d));
        Tables.Builder table = Tables.of(name, columns.toArray(String[]::new));
        for (Result r : results) {
            List<Object> row = new ArrayList<>(List.of(r.metric().label(), r.n(), r.replicates(), r.threshold(), r.falsePositiveRate()));
            defects.forEach(d -> row.add(r.detectionRate().get(d)));
            table.row(row.toArray());
        }
        return table;
    }

    private static void record(SampleQuality.Metric[] metrics, double[][] into, int r, SampleQuality.Scores scores) {
        for (int i = 0; i < metrics.length; i++) {
            into[i][r] = metrics[i].of(scores);
        }
    }

    /** The q-quantile of values by linear interpolation between order statistics. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /** The fraction of values beyond threshold: above it, or below it where higher is better. */
    private static double beyond(double[] values, double threshold, boolean higherIsBetter) {
        double count = 0;
        for (double v : values) {
            count += (higherIsBetter ? v < threshold : v > threshold) ? 1 : 0;
        }
        return count / values.length;
    }
}
