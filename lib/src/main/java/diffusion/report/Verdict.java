package diffusion.report;

import diffusion.Arguments;
import diffusion.metrics.MonteCarlo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Computed verdicts for the comparative sentences of a notebook: A against B on a metric measured over seeds (at least
 * two values each) is better, worse or a tie by a two-sided t-test at {@link #CONFIDENCE}. Welch's test for
 * independent runs (different networks, different seeds); the paired test for runs that share their seeds (two
 * samplers driven by the same noise on the same network), where the differences cancel the common noise. The sentence
 * states the means, their standard errors, the test and the number of seeds, so a reader sees what the run computed.
 */
public final class Verdict {

    /** Confidence of every verdict: a difference is declared at p &lt; 1 - CONFIDENCE. */
    public static final double CONFIDENCE = 0.95;

    private Verdict() {
    }

    /** Whether smaller or larger values of a metric are better. */
    public enum Better {
        LOWER, HIGHER
    }

    /** The outcome for A against B. */
    public enum Outcome {
        BETTER, WORSE, TIE
    }

    /** One comparison: its metric, the two sides with their estimates, the test, its p-value and the outcome. */
    public record Comparison(String metric, String a, MonteCarlo.Estimate estimateA, String b, MonteCarlo.Estimate estimateB,
            int seedsA, int seedsB, String test, double pValue, Outcome outcome) {

        /** Refuses a null component, naming it. */
        public Comparison {
            Arguments.allNonNull("metric, a, estimateA, b, estimateB, test, outcome",
                    metric, a, estimateA, b, estimateB, test, outcome);
        }

        /** E.g. "DDIM is better than DDPM on W2 (0.031 ± 0.002 vs 0.045 ± 0.003, mean ± SE over 5 seeds; Welch t-test p = 0.004)". */
        public String sentence() {
            String relation = switch (outcome) {
                case BETTER -> "is better than";
                case WORSE -> "is worse than";
                case TIE -> "ties with";
            };
            return a + " " + relation + " " + b + " on " + metric + " (" + format(estimateA) + " vs " + format(estimateB)
                    + ", mean ± SE over " + (seedsA == seedsB ? seedsA + " seeds" : seedsA + " and " + seedsB + " runs") + "; " + test + " p = " + Tables.format(pValue)
                    + (outcome == Outcome.TIE ? ", no difference at " + percent() : ", at " + percent()) + ")";
        }
    }

    /** A against B on independent runs (Welch's unequal-variance t-test). */
    public static Comparison compare(String metric, Better better, String a, double[] valuesA, String b, double[] valuesB) {
        Arguments.allNonNull("metric, better, a, valuesA, b, valuesB", metric, better, a, valuesA, b, valuesB);
        requireSeeds(a, valuesA);
        requireSeeds(b, valuesB);
        MonteCarlo.Estimate ea = MonteCarlo.estimate(valuesA);
        MonteCarlo.Estimate eb = MonteCarlo.estimate(valuesB);
        double va = ea.standardError() * ea.standardError();
        double vb = eb.standardError() * eb.standardError();
        double df = (va + vb) * (va + vb) / (va * va / (valuesA.length - 1) + vb * vb / (valuesB.length - 1)); // Welch-Satterthwaite
        double p = pValue(ea.mean() - eb.mean(), Math.sqrt(va + vb), df);
        return new Comparison(metric, a, ea, b, eb, valuesA.length, valuesB.length, "Welch t-test", p,
                outcome(ea.mean() - eb.mean(), p, better));
    }

    /** A against B on runs that share seeds (valuesA[i] and valuesB[i] from seed i): the paired t-test on A - B. */
    public static Comparison paired(String metric, Better better, String a, double[] valuesA, String b, double[] valuesB) {
        Arguments.allNonNull("metric, better, a, valuesA, b, valuesB", metric, better, a, valuesA, b, valuesB);
        requireSeeds(a, valuesA);
        requireSeeds(b, valuesB);
        if (valuesB.length != valuesA.length) {
            throw new IllegalArgumentException(b + " has " + valuesB.length + " seeds but " + a + " has " + valuesA.length
                    + ": a paired test needs the same seeds on both sides");
        }
        double[] difference = new double[valuesA.length];
        for (int i = 0; i < difference.length; i++) {
            difference[i] = valuesA[i] - valuesB[i];
        }
        MonteCarlo.Estimate d = MonteCarlo.estimate(difference);
        double p = pValue(d.mean(), d.standardError(), valuesA.length - 1);
        return new Comparison(metric, a, MonteCarlo.estimate(valuesA), b, MonteCarlo.estimate(valuesB), valuesA.length, valuesB.length,
                "paired t-test", p, outcome(d.mean(), p, better));
    }

    /**
     * The best entry by mean and every entry that does not differ from it (each pairwise test against the best at
     * CONFIDENCE, no correction for multiplicity). With paired, all entries must share their seeds.
     */
    public record Ranking(String metric, String best, MonteCarlo.Estimate estimate, List<Comparison> againstBest) {

        /** Refuses a null component, naming it. */
        public Ranking {
            Arguments.allNonNull("metric, best, estimate, againstBest", metric, best, estimate, againstBest);
        }

        /** The entries statistically tied with the best. */
        public List<String> tied() {
            return againstBest.stream().filter(c -> c.outcome() == Outcome.TIE).map(Comparison::b).toList();
        }

        /** E.g. "Best on W2: heun (0.021 ± 0.001); tied with it at 95%: euler (0.023 ± 0.002); every other entry is worse." */
        public String sentence() {
            List<String> tied = new ArrayList<>();
            for (Comparison c : againstBest) {
                if (c.outcome() == Outcome.TIE) {
                    tied.add(c.b() + " (" + format(c.estimateB()) + ", p = " + Tables.format(c.pValue()) + ")");
                }
            }
            String test = againstBest.isEmpty() ? "" : againstBest.get(0).test();
            return "Best on " + metric + ": " + best + " (" + format(estimate) + ", mean ± SE over " + seeds() + " seeds); "
                    + (tied.isEmpty() ? "it beats every other entry" : "not distinguishable from it: " + String.join(", ", tied)
                    + (tied.size() < againstBest.size() ? "; it beats the rest" : ""))
                    + " (" + test + " at " + percent() + " each)";
        }

        private int seeds() {
            return againstBest.stream().mapToInt(Comparison::seedsA).min().orElse(0);
        }
    }

    /** The ranking of entries (name to values over seeds, at least two entries) on metric. */
    public static Ranking rank(String metric, Better better, Map<String, double[]> entries, boolean paired) {
        Arguments.allNonNull("metric, better, entries", metric, better, entries);
        if (entries.size() < 2) {
            throw new IllegalArgumentException("entries has " + entries.size() + " entries: a ranking needs >= 2");
        }
        String best = null;
        double bestMean = Double.NaN;
        for (Map.Entry<String, double[]> e : entries.entrySet()) {
            requireSeeds(e.getKey(), e.getValue());
            double mean = MonteCarlo.estimate(e.getValue()).mean();
            if (best == null || (better == Better.LOWER ? mean < bestMean : mean > bestMean)) {
                best = e.getKey();
                bestMean = mean;
            }
        }
        List<Comparison> againstBest = new ArrayList<>();
        for (Map.Entry<String, double[]> e : new LinkedHashMap<>(entries).entrySet()) {
            if (!e.getKey().equals(best)) {
                double[] b = entries.get(best);
                againstBest.add(paired ? paired(metric, better, best, b, e.getKey(), e.getValue())
                        : compare(metric, better, best, b, e.getKey(), e.getValue()));
            }
        }
        return new Ranking(metric, best, MonteCarlo.estimate(entries.get(best)), againstBest);
    }

    /** "m ± se" at four significant digits. */
    public static String format(MonteCarlo.Estimate estimate) {
        return Tables.format(estimate.mean()) + " ± " + Tables.format(estimate.standardError());
    }

    private static Outcome outcome(double difference, double p, Better better) {
        if (!(p < 1 - CONFIDENCE)) {
            return Outcome.TIE;
        }
        return (difference < 0) == (better == Better.LOWER) ? Outcome.BETTER : Outcome.WORSE;
    }

    /** Two-sided p-value of a difference with standard error se on df degrees of freedom (0 or 1 when se = 0). */
    private static double pValue(double difference, double se, double df) {
        if (se == 0 || Double.isNaN(df)) {
            return difference == 0 ? 1 : 0;
        }
        return 2 * new TDistribution(df).cumulativeProbability(-Math.abs(difference) / se);
    }

    private static void requireSeeds(String name, double[] values) {
        Arguments.nonNull(name, values);
        if (values.length < 2) {
            throw new IllegalArgumentException(name + " has " + values.length + " value(s): a verdict needs >= 2 seeds per side");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " has a non-finite value " + v + ": a verdict needs finite values");
            }
        }
    }

    private static String percent() {
        return Math.round(100 * CONFIDENCE) + "%";
    }
}
