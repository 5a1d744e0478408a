package diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private long nanos;

    @Test
    void printsAtMostEveryTwoSecondsThenTheLastStepAndAFinalLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress progress = new Progress("train", 5000, () -> stream, () -> nanos)) {
            for (int step = 1; step <= 5000; step++) {
                nanos = step * 1_000_000L; // 1 ms per step: 1000 it/s
                progress.update(step, "loss=0.123");
            }
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, printed.split("\n").length, "one line per run: " + printed);
        String[] lines = printed.substring(1).strip().split("\r");
        // printed at 2 s and 4 s, at the last step (5 s), and on close, each rewriting the line
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("train  2000/5000 (40%)  1000.0 it/s  ETA 0:03  loss=0.123", lines[0]);
        assertEquals("train  5000/5000 (100%)  1000.0 it/s  ETA 0:00  loss=0.123", lines[2]);
        assertEquals("train  5000/5000 (100%)  1000.0 it/s  in 0:05  loss=0.123", lines[3]);
    }

    /** forLongRuns: a run shorter than two seconds prints nothing; a longer one prints as usual from two seconds on. */
    @Test
    void forLongRunsStaysSilentOnShortRuns() {
        for (long stepNanos : new long[] {100_000L, 1_000_000L}) { // 0.5 s and 5 s in all
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            nanos = 0;
            try (Progress progress = new Progress("solve", 5000, () -> stream, () -> nanos, true)) {
                for (int step = 1; step <= 5000; step++) {
                    nanos = step * stepNanos;
                    progress.update(step);
                }
            }
            String printed = bytes.toString(StandardCharsets.UTF_8);
            if (stepNanos == 100_000L) {
                assertEquals("", printed);
            } else {
                assertEquals(4, printed.split("\r").length - 1, printed);
            }
        }
    }

    @Test
    void clockTimeUsesHoursOnlyWhenNeeded() {
        assertEquals("0:11", Progress.clockTime(11.2));
        assertEquals("2:05", Progress.clockTime(125));
        assertEquals("1:00:01", Progress.clockTime(3601));
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Progress("x", 0));
        try (Progress progress = Progress.silent("x", 10)) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> progress.update(11));
            assertEquals("done = 11 must be in [0, 10]", error.getMessage());
        }
    }
}
