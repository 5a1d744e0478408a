package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunModeTest {

    @AfterEach
    void restore() {
        System.clearProperty(RunMode.PROPERTY);
    }

    @Test
    void quickModePicksTheQuickBudget() {
        for (String on : new String[] {"1", "true", "TRUE"}) {
            System.setProperty(RunMode.PROPERTY, on);
            assertTrue(RunMode.quick(), on);
            assertEquals(10, RunMode.pick(10, 5000));
            assertEquals(10L, RunMode.pick(10L, 5_000_000_000L));
            assertEquals("quick", RunMode.name());
        }
    }

    @Test
    void anythingElseIsFullMode() {
        for (String off : new String[] {"0", "false", "yes"}) {
            System.setProperty(RunMode.PROPERTY, off);
            assertFalse(RunMode.quick(), off);
            assertEquals(5000, RunMode.pick(10, 5000));
            assertEquals("full", RunMode.name());
        }
    }
}
