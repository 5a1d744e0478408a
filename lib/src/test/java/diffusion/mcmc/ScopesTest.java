package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every step runs in its own scope: a run leaves exactly its result in the caller's manager, one array for the samples
 * plus one per snapshot, whatever the number of steps.
 */
class ScopesTest {

    private static final MixtureTarget TARGET = MixtureTarget.axes(2, 4.0, 0.5, 1, 2, 3, 4);

    /** Arrays left in a fresh manager by run(manager, steps) (the initial particles live elsewhere). */
    private static int arraysLeft(BiFunction<NDManager, Integer, Run> run, int steps) {
        try (NDManager base = NDManager.newBaseManager(); NDManager caller = base.newSubManager()) {
            run.apply(caller, steps);
            return caller.getManagedArrays().size();
        }
    }

    private static void assertFlat(String sampler, BiFunction<NDManager, Integer, Run> run) {
        assertEquals(1, arraysLeft(run, 3), sampler + ": arrays left after 3 steps");
        assertEquals(1, arraysLeft(run, 30), sampler + ": arrays left after 30 steps");
    }

    @Test
    void langevinLeavesNothingPerStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = m.zeros(new Shape(20, 2));
            assertFlat("ULA", (caller, steps) -> Langevin.ula(0.05, steps).run(caller, TARGET, start, 1, 0));
            assertFlat("MALA", (caller, steps) -> Langevin.mala(0.05, steps).run(caller, TARGET, start, 1, 0));
        }
    }

    @Test
    void rdmcLeavesNothingPerStep() {
        assertFlat("RDMC, importance sampling",
                (caller, steps) -> new ReverseDiffusionMonteCarlo(steps * 0.1, 0.1, new ImportanceScore(4)).run(caller, TARGET, 20, 1, 0));
        assertFlat("RDMC, inner MALA",
                (caller, steps) -> new ReverseDiffusionMonteCarlo(steps * 0.1, 0.1, new LangevinScore(3, Langevin.mala(0.01, 2)))
                        .run(caller, TARGET, 20, 1, 0));
    }
}
