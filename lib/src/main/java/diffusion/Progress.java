package diffusion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A periodic progress line for long loops, e.g.
 * {@code train  1200/5000 (24%)  350.2 it/s  ETA 0:11  loss=0.123}.
 *
 * <p>{@link #update} prints at most once every {@value #INTERVAL_SECONDS} seconds, and always when
 * done reaches total; {@link #close} prints a final line with the total time. Each print starts with a carriage
 * return and only the final one ends the line, so a terminal or Jupyter shows one line per run that updates in
 * place (the notebook runner saves outputs as displayed). The default stream is whatever System.out is at the moment
 * of printing (what Jupyter shows).
 */
public final class Progress implements AutoCloseable {

    /** Minimum seconds between two printed lines. */
    public static final long INTERVAL_SECONDS = 2;

    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    private final String label;
    private final long total;
    private final Supplier<PrintStream> out;
    private final LongSupplier clock;
    private final long start;
    private long lastPrint;
    private long done;
    private String status = "";
    private final boolean onlyIfLong;
    private boolean printedTotal;
    private boolean printedAny;
    private boolean closed;

    /** Progress over total &gt;= 1 steps, printed to System.out. */
    public Progress(String label, long total) {
        this(label, total, () -> System.out, System::nanoTime);
    }

    /** Progress over total &gt;= 1 steps, printed to out. */
    public Progress(String label, long total, PrintStream out) {
        this(label, total, fixed(Arguments.nonNull("out", out)), System::nanoTime);
    }

    private static Supplier<PrintStream> fixed(PrintStream out) {
        return () -> out;
    }

    /** As the public constructors, with clock giving nanoseconds. */
    Progress(String label, long total, Supplier<PrintStream> out, LongSupplier clock) {
        this(label, total, out, clock, false);
    }

    /** As above; with onlyIfLong, nothing is printed until the run has lasted INTERVAL_SECONDS. */
    Progress(String label, long total, Supplier<PrintStream> out, LongSupplier clock, boolean onlyIfLong) {
        Arguments.allNonNull("label, out, clock", label, out, clock);
        if (total < 1) {
            throw new IllegalArgumentException("total = " + total + " must be >= 1");
        }
        this.label = label;
        this.total = total;
        this.out = out;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastPrint = start;
        this.onlyIfLong = onlyIfLong;
    }

    /**
     * Progress over total &gt;= 1 steps, printed to System.out only once the run has lasted {@value #INTERVAL_SECONDS}
     * seconds: runs shorter than that print nothing (for loops run many times, such as ODE solves).
     */
    public static Progress forLongRuns(String label, long total) {
        Arguments.nonNull("label", label);
        return new Progress(label, total, () -> System.out, System::nanoTime, true);
    }

    /** A progress tracker that prints nothing (for tests and nested loops). */
    public static Progress silent(String label, long total) {
        Arguments.nonNull("label", label);
        return new Progress(label, total, NOWHERE);
    }

    /** Records done steps (0 &lt;= done &lt;= total) and a status such as "loss=0.123"; prints if due. */
    public void update(long done, String status) {
        if (done < 0 || done > total) {
            throw new IllegalArgumentException("done = " + done + " must be in [0, " + total + "]");
        }
        this.done = done;
        this.status = status == null ? "" : status;
        long now = clock.getAsLong();
        boolean finished = done == total && !printedTotal && (printedAny || !onlyIfLong);
        if (finished || now - lastPrint >= INTERVAL_SECONDS * 1_000_000_000L) {
            lastPrint = now;
            printedTotal |= done == total;
            printedAny = true;
            PrintStream stream = out.get();
            stream.print("\r" + line(now, false)); // the line rewrites itself: a run shows one line
            stream.flush();
        }
    }

    /** {@link #update(long, String)} without a status. */
    public void update(long done) {
        update(done, "");
    }

    /** Prints the final line "label  done/total (p%)  rate it/s  in m:ss  status", once. */
    @Override
    public void close() {
        if (!closed && (printedAny || !onlyIfLong)) {
            closed = true;
            out.get().print("\r" + line(clock.getAsLong(), true) + "\n");
        }
    }

    /** The line for the current state at time now (nanoseconds). */
    private String line(long now, boolean last) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : Double.NaN;
        StringBuilder line = new StringBuilder(label)
                .append("  ").append(done).append('/').append(total)
                .append(String.format(Locale.ROOT, " (%d%%)", Math.round(100.0 * done / total)))
                .append(Double.isNaN(rate) ? "  - it/s" : String.format(Locale.ROOT, "  %.1f it/s", rate));
        if (last) {
            line.append("  in ").append(clockTime(seconds));
        } else {
            line.append("  ETA ").append(rate > 0 ? clockTime((total - done) / rate) : "-");
        }
        if (!status.isEmpty()) {
            line.append("  ").append(status);
        }
        return line.toString();
    }

    /** seconds as m:ss, or h:mm:ss from one hour on. */
    static String clockTime(double seconds) {
        long whole = Math.round(seconds);
        long hours = whole / 3600;
        long minutes = whole / 60 % 60;
        long rest = whole % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, rest)
                : String.format(Locale.ROOT, "%d:%02d", minutes, rest);
    }
}
