package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void withoutOverridesEveryParameterTakesItsDefault() {
        Parameters p = Parameters.of("nb", null);
        assertEquals(1000, p.integer("T", 1000, 10, 4000));
        assertEquals(0.5, p.real("eta", 0.5, 0, 1));
        assertEquals("linear", p.choice("schedule", "linear", "linear", "cosine"));
        assertTrue(p.bool("ema", true));
        String table = p.show();
        assertTrue(table.contains("<td>T</td><td>1000</td><td>1000</td><td>integer in [10, 4000]</td><td>no</td>"), table);
    }

    @Test
    void overridesReplaceDefaultsAndAreMarked() {
        Parameters p = Parameters.of("nb", "T=500; schedule=cosine;eta=0.25;ema=false");
        assertEquals(500, p.integer("T", 1000, 10, 4000));
        assertEquals("cosine", p.choice("schedule", "linear", "linear", "cosine"));
        assertEquals(0.25, p.real("eta", 0.5, 0, 1));
        assertFalse(p.bool("ema", true));
        assertTrue(p.show().contains("<td>schedule</td><td>cosine</td><td>linear</td><td>one of linear, cosine</td><td>yes</td>"));
    }

    @Test
    void badOverridesNameTheParameterTheValueAndWhatIsAccepted() {
        assertMessage("nb: parameter T = '5': must be an integer in [10, 4000]", () -> Parameters.of("nb", "T=5").integer("T", 1000, 10, 4000));
        assertMessage("nb: parameter T = 'many': must be an integer in [10, 4000]", () -> Parameters.of("nb", "T=many").integer("T", 1000, 10, 4000));
        assertMessage("nb: parameter eta = 'NaN': must be a number in [0.0, 1.0]", () -> Parameters.of("nb", "eta=NaN").real("eta", 0.5, 0, 1));
        assertMessage("nb: parameter schedule = 'quadratic': must be one of linear, cosine",
                () -> Parameters.of("nb", "schedule=quadratic").choice("schedule", "linear", "linear", "cosine"));
        assertMessage("nb: parameter ema = 'yes': must be true or false", () -> Parameters.of("nb", "ema=yes").bool("ema", true));
        assertMessage("WORKBENCH_PARAMS: 'T' is not name=value (in 'T')", () -> Parameters.of("nb", "T"));
        Parameters unknown = Parameters.of("nb", "steps=3");
        unknown.integer("T", 1000, 10, 4000);
        assertMessage("nb: no parameter steps (accepted: T)", unknown::show);
    }

    @Test
    void badDeclarationsFail() {
        assertMessage("nb: parameter T: default 5.0 outside its range [10.0, 4000.0]", () -> Parameters.of("nb", null).integer("T", 5, 10, 4000));
        assertMessage("nb: parameter s: default 'x' is not one of [a, b]", () -> Parameters.of("nb", null).choice("s", "x", "a", "b"));
        Parameters twice = Parameters.of("nb", null);
        twice.integer("T", 10, 10, 20);
        assertMessage("nb: parameter T declared twice", () -> twice.integer("T", 10, 10, 20));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable code) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, code).getMessage());
    }
}
