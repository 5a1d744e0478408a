package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ResultsTest extends RedirectedResults {

    @Test
    void propertyOverridesTheRootAndSubdirectoriesAreCreatedOnDemand() {
        assertEquals(temporary.toAbsolutePath(), Results.root());
        assertEquals(temporary.resolve("figures"), Results.figures());
        assertEquals(temporary.resolve("tables"), Results.tables());
        assertEquals(temporary.resolve("checkpoints"), Results.checkpoints());
        assertTrue(Files.isDirectory(temporary.resolve("figures")) && Files.isDirectory(temporary.resolve("checkpoints")));
    }

    @Test
    void fileNamesMustBePlain() {
        assertEquals(temporary.resolve("mmd_table-1.csv"), Results.file(temporary, "mmd_table-1", "csv"));
        for (String bad : new String[] {"../escape", "a/b", "", ".hidden"}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Results.file(temporary, bad, "png"));
            assertTrue(error.getMessage().contains("name = \"" + bad + "\""), error.getMessage());
        }
    }
}
