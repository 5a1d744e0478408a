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
        assertEquals("notebook,section,check,value,reference,tolerance,why,verdict", csv.get(0));
        assertEquals(3, csv.size());
        Checks clean = new Checks("ok");
        clean.close("s", "c", 1, 1, 0, "exact");
        assertEquals("1 checks of ok passed", clean.requireAll());
    }
}
