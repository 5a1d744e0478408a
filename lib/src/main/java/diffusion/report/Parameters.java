package diffusion.report;

import diffusion.Arguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A notebook's parameters: declared once in its cell tagged "parameters", each with its default and range, and
 * overridden by a run ({@code ./workbench run NB --set name=value}, {@code ./workbench sweep}).
 *
 * <pre>{@code
 * var P = diffusion.report.Parameters.of("02_ddpm_2d");
 * int seed = P.integer("seed", 0, 0, 999);      // then: long SEED = 2 + Parameters.SEED_STRIDE * seed;
 * String schedule = P.choice("schedule", "linear", "linear", "cosine");
 * P.show();
 * }</pre>
 *
 * <p>Overrides come from the environment variable {@value #ENVIRONMENT} as {@code name=value;name=value}
 * (the runner sets it after validating every value against the same declarations, which it reads from the
 * cell's source: keep each declaration's arguments literals). A value outside its range, of the wrong type,
 * or for a name that is never declared fails here too. {@link #show()} returns an HTML table of name, value,
 * default, range and whether the run overrode it, so the executed notebook shows what it ran with.
 */
public final class Parameters {

    /**
     * How far one step of a notebook's {@code seed} parameter moves its base seed: {@code SEED = base + SEED_STRIDE * seed}.
     * Seeds a notebook derives from SEED (SEED + r, SEED + 1000 r for r &lt; 1000) then never coincide across seed values;
     * seeds it fixes on purpose (a shared reference sample) stay the same.
     */
    public static final long SEED_STRIDE = 1_000_000L;

    /** Environment variable holding the overrides, {@code name=value;name=value}. */
    public static final String ENVIRONMENT = "WORKBENCH_PARAMS";

    private final String notebook;
    private final Map<String, String> overrides;
    private final Map<String, String[]> declared = new LinkedHashMap<>(); // name -> value, default, range, overridden

    private Parameters(String notebook, Map<String, String> overrides) {
        this.notebook = notebook;
        this.overrides = overrides;
    }

    /** The parameters of notebook, overridden from {@value #ENVIRONMENT}. */
    public static Parameters of(String notebook) {
        Arguments.nonNull("notebook", notebook);
        return of(notebook, System.getenv(ENVIRONMENT));
    }

    /** The parameters of notebook, overridden from overrides ({@code name=value;...}; null or blank: none). */
    public static Parameters of(String notebook, String overrides) {
        Arguments.nonNull("notebook", notebook);
        Map<String, String> parsed = new LinkedHashMap<>();
        if (overrides != null && !overrides.isBlank()) {
            for (String pair : overrides.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(ENVIRONMENT + ": '" + pair + "' is not name=value (in '" + overrides + "')");
                }
                parsed.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new Parameters(notebook, parsed);
    }

    /** An integer parameter in [min, max]. */
    public int integer(String name, int defaultValue, int min, int max) {
        requireRange(name, defaultValue, min, max);
        String given = overrides.get(name);
        int value = defaultValue;
        if (given != null) {
            try {
                value = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                throw wrong(name, given, "an integer in [" + min + ", " + max + "]");
            }
            if (value < min || value > max) {
                throw wrong(name, given, "an integer in [" + min + ", " + max + "]");
            }
        }
        declare(name, String.valueOf(value), String.valueOf(defaultValue), "integer in [" + min + ", " + max + "]");
        return value;
    }

    /** A real parameter in [min, max]. */
    public double real(String name, double defaultValue, double min, double max) {
        requireRange(name, defaultValue, min, max);
        String given = overrides.get(name);
        double value = defaultValue;
        if (given != null) {
            try {
                value = Double.parseDouble(given);
            } catch (NumberFormatException e) {
                throw wrong(name, given, "a number in [" + min + ", " + max + "]");
            }
            if (!(value >= min && value <= max)) {
                throw wrong(name, given, "a number in [" + min + ", " + max + "]");
            }
        }
        declare(name, String.valueOf(value), String.valueOf(defaultValue), "real in [" + min + ", " + max + "]");
        return value;
    }

    /** One of choices (defaultValue among them). */
    public String choice(String name, String defaultValue, String... choices) {
        List<String> accepted = List.of(choices);
        if (!accepted.contains(defaultValue)) {
            throw new IllegalArgumentException(notebook + ": parameter " + name + ": default '" + defaultValue + "' is not one of " + accepted);
        }
        String value = overrides.getOrDefault(name, defaultValue);
        if (!accepted.contains(value)) {
            throw wrong(name, value, "one of " + String.join(", ", accepted));
        }
        declare(name, value, defaultValue, "one of " + String.join(", ", accepted));
        return value;
    }

    /** A boolean parameter: true or false. */
    public boolean bool(String name, boolean defaultValue) {
        String value = overrides.getOrDefault(name, String.valueOf(defaultValue));
        if (!value.equals("true") && !value.equals("false")) {
            throw wrong(name, value, "true or false");
        }
        declare(name, value, String.valueOf(defaultValue), "true or false");
        return Boolean.parseBoolean(value);
    }

    /**
     * An HTML table of every declared parameter (name, value, default, range, overridden); fails when an override
     * names a parameter that was never declared.
     */
    public String show() {
        List<String> unknown = new ArrayList<>(overrides.keySet());
        unknown.removeAll(declared.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(notebook + ": no parameter " + String.join(", ", unknown) + " (accepted: "
                    + String.join(", ", declared.keySet()) + ")");
        }
        StringBuilder html = new StringBuilder("<table><tr><th>parameter</th><th>value</th><th>default</th><th>range</th><th>overridden</th></tr>");
        for (Map.Entry<String, String[]> entry : declared.entrySet()) {
            html.append("<tr><td>").append(escape(entry.getKey())).append("</td>");
            for (String cell : entry.getValue()) {
                html.append("<td>").append(escape(cell)).append("</td>");
            }
            html.append("</tr>");
        }
        return html.append("</table>").toString();
    }

    private void declare(String name, String value, String defaultValue, String range) {
        if (declared.containsKey(name)) {
            throw new IllegalArgumentException(notebook + ": parameter " + name + " declared twice");
        }
        declared.put(name, new String[] {value, defaultValue, range, overrides.containsKey(name) ? "yes" : "no"});
    }

    private void requireRange(String name, double defaultValue, double min, double max) {
        if (!(min <= defaultValue && defaultValue <= max)) {
            throw new IllegalArgumentException(notebook + ": parameter " + name + ": default " + defaultValue + " outside its range [" + min + ", " + max + "]");
        }
    }

    private IllegalArgumentException wrong(String name, String value, String accepted) {
        return new IllegalArgumentException(notebook + ": parameter " + name + " = '" + value + "': must be " + accepted);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
