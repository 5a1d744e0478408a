package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A notebook's checks: verdicts computed from value, reference and tolerance; any failure fails the notebook. */
class ChecksTest extends RedirectedResults {

    @Test
    void aCheckPassesExactlyWithinItsTolerance() {
        Checks checks = new Checks("nb");
        assertTrue(checks.close("s", "inside", 1.05, 1.0, 0.1, "why"));
        assertFalse(checks.close("s", "outside", 1.2, 1.0, 0.1, "why"));
        assertFalse(checks.close("s", "NaN fails", Double.NaN, 1.0, 0.1, "why"));
        assertTrue(checks.that("s", "a computed condition", true, "why"));
        assertEquals(List.of(true, false, false, true), checks.all().stream().map(Checks.Check::pass).toList());
    }

    @Test
    void requireAllNamesEveryFailureAndTheTableIsSaved() throws Exception {
        Checks checks = new Checks("nb");
        checks.close("one", "good", 0, 0, 1e-6, "float32");
        checks.close("two", "bad", 3, 0, 1, "Monte Carlo");
        IllegalStateException failure = assertThrows(IllegalStateException.class, checks::requireAll);
        assertTrue(failure.getMessage().contains("1 of 2 checks of nb failed") && failure.getMessage().contains("two: bad"), failure.getMessage());
        String html = checks.table();
        assertTrue(html.contains("FAIL") && html.contains("pass"), html);
        List<String> csv = Files.readAllLines(Results.tables().resolve("nb_checks.csv"));
        assertEquals("notebook,section,check,value,reference,tolerance,test,why,mode,verdict", csv.get(0));
        assertEquals(3, csv.size());
        Checks clean = new Checks("ok");
        clean.close("s", "c", 1, 1, 0, "exact");
        assertEquals("1 checks of ok passed", clean.requireAll());
    }

    /** One-sided bounds pass on their side only. */
    @Test
    void boundsAreOneSided() {
        Checks checks = new Checks("nb");
        assertTrue(checks.atMost("s", "below", 0.9, 1, "why"));
        assertFalse(checks.atMost("s", "above", 1.1, 1, "why"));
        assertTrue(checks.atLeast("s", "above", 1.1, 1, "why"));
        assertFalse(checks.atLeast("s", "NaN", Double.NaN, 1, "why"));
    }

    /** An unbiasedness check fails when it is off by more than 3 SE, and also when its SE is too large to see the bias that matters. */
    @Test
    void unbiasedNeedsAgreementAndPower() {
        Checks checks = new Checks("nb");
        assertTrue(checks.unbiased("s", "agrees, enough power", new diffusion.metrics.MonteCarlo.Estimate(1.01, 0.01), 1, 0.05, "MC"));
        assertFalse(checks.unbiased("s", "off by 4 SE", new diffusion.metrics.MonteCarlo.Estimate(1.04, 0.01), 1, 0.05, "MC"));
        assertFalse(checks.unbiased("s", "agrees but blind", new diffusion.metrics.MonteCarlo.Estimate(1.0, 0.05), 1, 0.05, "MC"));
        assertTrue(checks.all().get(2).why().contains("detects a bias of 0.2322 with 95% power, needed 0.05"), checks.all().get(2).why());
    }
}
