package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static final double[] A = {0.10, 0.12, 0.11, 0.13, 0.09};
    private static final double[] B = {0.20, 0.18, 0.22, 0.19, 0.21};
    private static final double[] C = {0.105, 0.13, 0.10, 0.125, 0.095};

    /** Welch's p-value is commons-math's; a lower mean is better when lower is better, and the sentence says so. */
    @Test
    void welchMatchesTheReferenceImplementation() {
        Verdict.Comparison c = Verdict.compare("W2", Verdict.Better.LOWER, "A", A, "B", B);
        assertEquals(new TTest().tTest(A, B), c.pValue(), 1e-12);
        assertEquals(Verdict.Outcome.BETTER, c.outcome());
        assertEquals(Verdict.Outcome.WORSE, Verdict.compare("precision", Verdict.Better.HIGHER, "A", A, "B", B).outcome());
        assertTrue(c.sentence().startsWith("A is better than B on W2 (0.11 ± 0.007071 vs 0.2 ± 0.007071, mean ± SE over 5 seeds; Welch t-test p = "),
                c.sentence());
    }

    /** Against a floor of another size the sentence gives both counts. */
    @Test
    void unequalRunCountsAreBothStated() {
        double[] floor = {0.2, 0.19, 0.21, 0.2, 0.22, 0.18, 0.2, 0.21, 0.19, 0.2};
        String sentence = Verdict.compare("W2", Verdict.Better.LOWER, "A", A, "floor", floor).sentence();
        assertTrue(sentence.contains("mean ± SE over 5 and 10 runs"), sentence);
    }

    /** The paired test on shared seeds is commons-math's paired t-test; close means are a tie. */
    @Test
    void pairedMatchesTheReferenceImplementation() {
        Verdict.Comparison c = Verdict.paired("W2", Verdict.Better.LOWER, "A", A, "C", C);
        assertEquals(new TTest().pairedTTest(A, C), c.pValue(), 1e-12);
        assertEquals(Verdict.Outcome.TIE, c.outcome());
        assertTrue(c.sentence().contains("ties with C") && c.sentence().contains("no difference at 95%"), c.sentence());
    }

    /** The ranking names the best mean and the entries it cannot be told from. */
    @Test
    void rankingListsTheTiesWithTheBest() {
        Map<String, double[]> entries = new LinkedHashMap<>();
        entries.put("B", B);
        entries.put("A", A);
        entries.put("C", C);
        Verdict.Ranking ranking = Verdict.rank("W2", Verdict.Better.LOWER, entries, false);
        assertEquals("A", ranking.best());
        assertEquals(java.util.List.of("C"), ranking.tied());
        assertTrue(ranking.sentence().contains("not distinguishable from it: C") && ranking.sentence().contains("it beats the rest"),
                ranking.sentence());
    }

    /** One seed, unequal seeds for a paired test and non-finite values are refused. */
    @Test
    void refusesWhatCannotBeTested() {
        assertThrows(IllegalArgumentException.class, () -> Verdict.compare("m", Verdict.Better.LOWER, "A", new double[] {1}, "B", B));
        assertThrows(IllegalArgumentException.class, () -> Verdict.paired("m", Verdict.Better.LOWER, "A", A, "B", new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Verdict.compare("m", Verdict.Better.LOWER, "A", new double[] {1, Double.NaN}, "B", B));
    }
}
