package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TimedRunsTest {

    /** Runs in the map's order, once each, keeps every run, and prints one timed line per sampler. */
    @Test
    void runsInOrderAndKeepsTheRuns() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<String> order = new ArrayList<>();
            Run first = new Run(m.zeros(new ai.djl.ndarray.types.Shape(3, 2)), 6, 0, Double.NaN, List.of());
            Run second = new Run(m.ones(new ai.djl.ndarray.types.Shape(3, 2)), 0, 9, 0.5, List.of());
            Map<String, Supplier<Run>> samplers = new LinkedHashMap<>();
            samplers.put("b sampler", () -> { order.add("b"); return first; });
            samplers.put("a sampler", () -> { order.add("a"); return second; });
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            TimedRuns timed = TimedRuns.of(samplers, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(List.of("b", "a"), order);
            assertEquals(List.of("b sampler", "a sampler"), new ArrayList<>(timed.runs().keySet()));
            assertSame(first, timed.runs().get("b sampler"));
            assertSame(second, timed.timed().get("a sampler").run());
            assertTrue(timed.timed().get("a sampler").seconds() >= 0);
            String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
            assertEquals(2, lines.length);
            assertTrue(lines[0].startsWith("b sampler") && lines[0].endsWith(" s"), lines[0]);
        }
    }
}
