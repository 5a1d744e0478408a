package diffusion.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The numerical checks of one notebook: each records its section, what is checked, the computed value, the reference,
 * the tolerance and why that tolerance (Monte Carlo error, float32 precision), and its verdict |value - reference| &lt;=
 * tolerance. table() shows them and writes results/tables/NAME_checks.csv; requireAll() fails the notebook (an
 * IllegalStateException naming every failed check) when any check failed.
 */
public final class Checks {

    private final String notebook;
    private final List<Check> checks = new ArrayList<>();

    /** The checks of notebook (its name, e.g. "09_sampler_core"). */
    public Checks(String notebook) {
        this.notebook = notebook;
    }

    /** One check and its verdict. */
    public record Check(String section, String check, double value, double reference, double tolerance, String why, boolean pass) {
    }

    /** Records |value - reference| &lt;= tolerance (NaN fails) and returns whether it passed. */
    public boolean close(String section, String check, double value, double reference, double tolerance, String why) {
        boolean pass = Math.abs(value - reference) <= tolerance;
        checks.add(new Check(section, check, value, reference, tolerance, why, pass));
        return pass;
    }

    /** Records a condition computed by the notebook (value 1 for true, 0 for false; reference 1, tolerance 0). */
    public boolean that(String section, String check, boolean condition, String why) {
        return close(section, check, condition ? 1 : 0, 1, 0, why);
    }

    /** The checks recorded so far. */
    public List<Check> all() {
        return List.copyOf(checks);
    }

    /** The table (notebook, section, check, value, reference, tolerance, why, verdict) as HTML, saved as NAME_checks.csv. */
    public String table() {
        Tables.Builder table = Tables.of(notebook + "_checks", "notebook", "section", "check", "value", "reference", "tolerance", "why", "verdict");
        for (Check c : checks) {
            table.row(notebook, c.section(), c.check(), c.value(), c.reference(), c.tolerance(), c.why(), c.pass() ? "pass" : "FAIL");
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
