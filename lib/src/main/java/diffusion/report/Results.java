package diffusion.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a run publishes its outputs: figures, tables and checkpoints under one results root.
 *
 * <p>Root, first match wins: system property {@value #PROPERTY} (for tests and notebooks that
 * redirect output), environment variable {@value #RESULTS_ENVIRONMENT}, else
 * {@code <repo root>/results}. The repo root is env {@value #HOME_ENVIRONMENT} if set, else the
 * first ancestor of the working directory (itself included) holding a file named
 * {@value #MARKER}, else the working directory. Directories are created on demand.
 */
public final class Results {

    /** System property that overrides the results root. */
    public static final String PROPERTY = "diffusion.results";

    /** Environment variable naming the results root. */
    public static final String RESULTS_ENVIRONMENT = "WORKBENCH_RESULTS";

    /** Environment variable naming the repository root. */
    public static final String HOME_ENVIRONMENT = "WORKBENCH_HOME";

    /** File whose presence marks the repository root. */
    public static final String MARKER = "workbench";

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Results() {}

    /** Results root: property diffusion.results, else env WORKBENCH_RESULTS, else repoRoot()/results. */
    public static Path root() {
        String override = System.getProperty(PROPERTY);
        if (override == null) {
            override = System.getenv(RESULTS_ENVIRONMENT);
        }
        return override != null ? Path.of(override).toAbsolutePath() : repoRoot().resolve("results");
    }

    /** Repository root: env WORKBENCH_HOME, else the nearest ancestor of the working directory holding a "workbench" file, else the working directory. */
    public static Path repoRoot() {
        String home = System.getenv(HOME_ENVIRONMENT);
        if (home != null) {
            return Path.of(home).toAbsolutePath();
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        for (Path candidate = workingDirectory; candidate != null; candidate = candidate.getParent()) {
            if (Files.isRegularFile(candidate.resolve(MARKER))) {
                return candidate;
            }
        }
        return workingDirectory;
    }

    /** root()/figures, created if missing. */
    public static Path figures() {
        return directory("figures");
    }

    /** root()/tables, created if missing. */
    public static Path tables() {
        return directory("tables");
    }

    /** root()/checkpoints, created if missing. */
    public static Path checkpoints() {
        return directory("checkpoints");
    }

    /** directory/NAME.extension, after checking NAME is a plain file name ([A-Za-z0-9][A-Za-z0-9._-]*). */
    static Path file(Path directory, String name, String extension) {
        if (name == null || !FILE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name = \"" + name + "\" must match [A-Za-z0-9][A-Za-z0-9._-]* "
                    + "(a plain file name without extension or path separators)");
        }
        return directory.resolve(name + "." + extension);
    }

    private static Path directory(String child) {
        Path directory = root().resolve(child);
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create results directory " + directory, e);
        }
    }
}
