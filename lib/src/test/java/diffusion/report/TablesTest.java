package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class TablesTest extends RedirectedResults {

    @Test
    void csvRoundTripsAtFullPrecisionWhileHtmlRoundsToFourDigits() {
        double awkward = 0.1 + 0.2;
        String html = Tables.of("sampler_errors", "sampler", "steps", "mmd")
                .row("euler <ode>", 10, awkward)
                .row("heun", 20L, Math.PI)
                .row("ddpm", 1000, 1.2345678e-9)
                .save();
        Table back = Table.read().csv(temporary.resolve("tables/sampler_errors.csv").toFile());
        assertEquals(3, back.rowCount());
        assertEquals("euler <ode>", back.stringColumn("sampler").get(0));
        assertEquals(20, back.numberColumn("steps").getDouble(1));
        assertEquals(awkward, back.numberColumn("mmd").getDouble(0), 0);
        assertEquals(Math.PI, back.numberColumn("mmd").getDouble(1), 0);
        assertEquals(1.2345678e-9, back.numberColumn("mmd").getDouble(2), 0);
        assertTrue(html.startsWith("<table>") && html.contains("<caption>sampler_errors</caption>"), html);
        assertTrue(html.contains("euler &lt;ode&gt;") && html.contains(">0.3<") && html.contains(">3.142<")
                && html.contains(">1.235e-09<") && html.contains(">1000<"), html);
    }

    @Test
    void formatKeepsFourSignificantDigits() {
        assertEquals("0", Tables.format(0));
        assertEquals("123500", Tables.format(123456.7));
        assertEquals("0.001235", Tables.format(0.0012345678));
        assertEquals("-2.5", Tables.format(-2.5));
        assertEquals("1.000e+06", Tables.format(1e6));
        assertEquals("NaN", Tables.format(Double.NaN));
    }

    @Test
    void rowsMustMatchTheColumns() {
        Tables.Builder builder = Tables.of("t", "a", "b");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> builder.row(1));
        assertTrue(error.getMessage().contains("expected 2"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.row(1, null));
    }

    /** A CSV that cannot be put in place fails with an UncheckedIOException naming it, not a Tablesaw exception. */
    @Test
    void aFailedSaveNamesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path taken = Files.createDirectories(temporary.resolve("tables/taken.csv"));
        Files.writeString(taken.resolve("inside"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Tables.of("taken", "a").row(1).save());
        assertTrue(e.getMessage().startsWith("could not write " + taken), e.getMessage());
        try (var files = Files.list(temporary.resolve("tables"))) {
            assertEquals(List.of(taken), files.toList());
        }
    }
}
