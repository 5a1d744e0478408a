package diffusion.report;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base for tests that write results: each test gets its own temporary results root. */
abstract class RedirectedResults {

    @TempDir
    Path temporary;

    @BeforeEach
    void redirect() {
        System.setProperty(Results.PROPERTY, temporary.toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty(Results.PROPERTY);
    }
}
