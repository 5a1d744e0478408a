package diffusion.report;

import diffusion.Arguments;
import diffusion.metrics.MonteCarlo;
import java.util.ArrayList;
import java.util.List;

/**
 * The numerical checks of one notebook: each records its section, what is checked, the computed value, the reference,
 * the tolerance, the test (|value - reference| &lt;= tolerance, or a one-sided bound), why that tolerance (Monte Carlo
 * error, float32 precision), the run mode (quick budgets give their own, stated tolerances) and its verdict. table()
 * shows them and writes results/tables/NAME_checks.csv (gathered into tables/checks.csv by the runner); requireAll()
 * fails the notebook (an IllegalStateException naming every failed check) when any check failed.
 *
 * <p>A Monte Carlo check must have power: unbiased() accepts |mean - reference| &lt;= Z_TOLERANCE SE and also fails
 * when the budget is too small to detect the deviation that matters, i.e. when (Z_TOLERANCE + Z_POWER) SE, the
 * smallest bias found with 95% probability, exceeds it.
 */
public final class Checks {

    private final String notebook;
    private final List<Check> checks = new ArrayList<>();

    /** The checks of notebook (its name, e.g. "09_sampler_core"). */
    public Checks(String notebook) {
        Arguments.nonNull("notebook", notebook);
        this.notebook = notebook;
    }

    /** Standard errors of the acceptance band of unbiased(): a false alarm in 0.27% of runs. */
    public static final double Z_TOLERANCE = 3;

    /** One-sided normal quantile for 95% power. */
    public static final double Z_POWER = 1.645;

    /** One check and its verdict. */
    public record Check(String section, String check, double value, double reference, double tolerance, String test, String why,
            boolean pass) {

        /** Refuses a null component, naming it. */
        public Check {
            Arguments.allNonNull("section, check, test, why", section, check, test, why);
        }
    }

    /** Records |value - reference| &lt;= tolerance (NaN fails) and returns whether it passed. */
    public boolean close(String section, String check, double value, double reference, double tolerance, String why) {
        return add(section, check, value, reference, tolerance, "|value - reference| <= tolerance", why,
                Math.abs(value - reference) <= tolerance);
    }

    /** Records value &lt;= bound (NaN fails). */
    public boolean atMost(String section, String check, double value, double bound, String why) {
        return add(section, check, value, bound, 0, "value <= reference", why, value <= bound);
    }

    /** Records value &gt;= bound (NaN fails). */
    public boolean atLeast(String section, String check, double value, double bound, String why) {
        return add(section, check, value, bound, 0, "value >= reference", why, value >= bound);
    }

    /**
     * A Monte Carlo mean against its exact value: passes when |mean - reference| &lt;= Z_TOLERANCE SE and the budget
     * has the power to see a bias of size relevant (&gt; 0), (Z_TOLERANCE + Z_POWER) SE &lt;= relevant; the why column
     * states both. source says where the error comes from (e.g. "Monte Carlo, 20000 draws").
     */
    public boolean unbiased(String section, String check, MonteCarlo.Estimate estimate, double reference, double relevant, String source) {
        Arguments.positive("relevant", relevant);
        double se = estimate.standardError();
        double detectable = (Z_TOLERANCE + Z_POWER) * se;
        String why = Tables.format(Z_TOLERANCE) + " SE, SE = " + Tables.format(se) + " (" + source + "); detects a bias of "
                + Tables.format(detectable) + " with 95% power, needed " + Tables.format(relevant);
        return add(section, check, estimate.mean(), reference, Z_TOLERANCE * se, "|value - reference| <= 3 SE and power", why,
                Math.abs(estimate.mean() - reference) <= Z_TOLERANCE * se && detectable <= relevant);
    }

    /** Records a condition computed by the notebook (value 1 for true, 0 for false; reference 1, tolerance 0). */
    public boolean that(String section, String check, boolean condition, String why) {
        return add(section, check, condition ? 1 : 0, 1, 0, "condition holds", why, condition);
    }

    private boolean add(String section, String check, double value, double reference, double tolerance, String test, String why, boolean pass) {
        checks.add(new Check(section, check, value, reference, tolerance, test, why, pass));
        return pass;
    }

    /** The checks recorded so far. */
    public List<Check> all() {
        return List.copyOf(checks);
    }

    /** The table (notebook, section, check, value, reference, tolerance, test, why, mode, verdict) as HTML, saved as NAME_checks.csv. */
    public String table() {
        Tables.Builder table = Tables.of(notebook + "_checks", "notebook", "section", "check", "value", "reference", "tolerance", "test",
                "why", "mode", "verdict");
        for (Check c : checks) {
            table.row(notebook, c.section(), c.check(), c.value(), c.reference(), c.tolerance(), c.test(), c.why(), RunMode.name(),
                    c.pass() ? "pass" : "FAIL");
        }
        return table.save();
    }

    /** Throws IllegalStateException listing every failed check; returns a one-line summary otherwise. */
    public String requireAll() {
        List<String> failed = checks.stream().filter(c -> !c.pass())
                .map(c -> c.section() + ": " + c.check() + " = " + c.value() + ", reference " + c.reference() + " +- " + c.tolerance())
                .toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " of " + checks.size() + " checks of " + notebook + " failed: " + String.join("; ", failed));
        }
        return checks.size() + " checks of " + notebook + " passed";
    }
}
