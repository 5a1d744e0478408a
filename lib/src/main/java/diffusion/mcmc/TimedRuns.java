package diffusion.mcmc;

import diffusion.Arguments;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The loop of an equal-budget comparison: runs named samplers one after the other, in the map's order, and keeps each
 * run with its wall-clock time, printing one line per sampler ("ULA   1.2 s") as it finishes.
 */
public final class TimedRuns {

    /** A run and the seconds it took. */
    public record Timed(Run run, double seconds) {

        /** Refuses a null component, naming it. */
        public Timed {
            Arguments.nonNull("run", run);
        }
    }

    private final Map<String, Timed> runs;

    private TimedRuns(Map<String, Timed> runs) {
        this.runs = Collections.unmodifiableMap(runs);
    }

    /** Runs every supplier in order, printing name and seconds to out after each. */
    public static TimedRuns of(Map<String, Supplier<Run>> samplers, PrintStream out) {
        Arguments.allNonNull("samplers, out", samplers, out);
        Map<String, Timed> runs = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Run>> entry : samplers.entrySet()) {
            long started = System.nanoTime();
            Run run = entry.getValue().get();
            double seconds = (System.nanoTime() - started) / 1e9;
            runs.put(entry.getKey(), new Timed(run, seconds));
            out.println(String.format(Locale.ROOT, "%-28s %.1f s", entry.getKey(), seconds));
        }
        return new TimedRuns(runs);
    }

    /** Name -> run and seconds, in the samplers' order. */
    public Map<String, Timed> timed() {
        return runs;
    }

    /** Name -> run, in the samplers' order (a new map). */
    public Map<String, Run> runs() {
        Map<String, Run> plain = new LinkedHashMap<>();
        runs.forEach((name, timed) -> plain.put(name, timed.run()));
        return plain;
    }
}
