package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import java.util.ArrayList;
import java.util.List;

/** Collects copies of the particles at step 0 and at `count` evenly spaced steps round(j * steps / count), j = 1..count. */
final class Trajectory implements Monitor {

    private final NDManager manager;
    private final MeteredTarget metered;
    private final boolean[] wanted;
    private final List<Run.Snapshot> snapshots = new ArrayList<>();

    /** Copies live in manager; costs are read from metered. */
    Trajectory(NDManager manager, MeteredTarget metered, int steps, int count) {
        Arguments.atLeast("snapshots", count, 0);
        this.manager = manager;
        this.metered = metered;
        this.wanted = new boolean[steps + 1];
        if (count >= steps) { // round(j steps / count), j = 1..count, then hits every step: mark them without the loop
            java.util.Arrays.fill(wanted, true);
        } else if (count > 0) {
            wanted[0] = true;
            for (int j = 1; j <= count; j++) {
                wanted[(int) Math.round((double) j * steps / count)] = true;
            }
        }
    }

    /** A chain's step k is done: offered as a snapshot. */
    @Override
    public void step(long k, double t, NDArray x, String status) {
        offer((int) k, x);
    }

    /** Keeps a copy of state if step is on the schedule. */
    void offer(int step, NDArray state) {
        if (wanted[step]) {
            long particles = state.getShape().get(0);
            double cost = (double) (metered.densityEvaluations() + metered.gradientEvaluations()) / particles;
            NDArray copy = state.duplicate();
            copy.attach(manager);
            snapshots.add(new Run.Snapshot(step, cost, copy));
        }
    }

    List<Run.Snapshot> snapshots() {
        return List.copyOf(snapshots);
    }
}
