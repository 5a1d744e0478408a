package diffusion.report;

/**
 * Quick or full run budgets, from one switch.
 *
 * <p>Quick mode is on when the system property {@value #PROPERTY} is set to "1" or "true"
 * (case-insensitive), or, when that property is absent, when the environment variable
 * {@value #ENVIRONMENT} is. CI runs every notebook in quick mode; full mode produces the published results.
 */
public final class RunMode {

    /** System property checked before the environment variable (handy in tests and JShell). */
    public static final String PROPERTY = "diffusion.quick";

    /** Environment variable that switches on quick mode. */
    public static final String ENVIRONMENT = "WORKBENCH_QUICK";

    private RunMode() {}

    /** True when quick mode is on: property {@value #PROPERTY}, else env {@value #ENVIRONMENT}, is "1" or "true". */
    public static boolean quick() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = System.getenv(ENVIRONMENT);
        }
        return value != null && (value.trim().equals("1") || value.trim().equalsIgnoreCase("true"));
    }

    /** quick in quick mode, full otherwise. */
    public static int pick(int quick, int full) {
        return quick() ? quick : full;
    }

    /** quick in quick mode, full otherwise. */
    public static long pick(long quick, long full) {
        return quick() ? quick : full;
    }

    /** "quick" or "full". */
    public static String name() {
        return quick() ? "quick" : "full";
    }
}
