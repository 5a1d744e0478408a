package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The loop every one-step-per-interval sampler shares: for k = 0..N-1, x(t_{k+1}) = step(x(t_k), t_k, t_{k+1}), each
 * step in its own sub-manager, the state checked for NaN and infinities after every step (DivergedException naming
 * the sampler, the step and the time), the monitor told after every step. A sampler supplies only its step.
 * constrained(c) runs the same loop with a Constraint applied to the state after every step (imputation, ILVR);
 * run is the loop with Constraint.NONE, the identity.
 */
public abstract class GridSampler implements Sampler {

    /** x(s) from x(t) = x for consecutive times t &gt; s of grid, in x's manager; noise draws come from noise. */
    protected abstract NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise);

    /**
     * The step from t to s followed by constraint at s (default); a sampler whose step is several inner moves (the
     * corrector steps of predictor-corrector, annealed Langevin's M steps per level) overrides it to constrain after
     * each move as well. With Constraint.NONE it must equal step(model, grid, x, t, s, noise).
     */
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise, Constraint constraint) {
        return constraint.apply(step(model, grid, x, t, s, noise), s, noise);
    }

    /** Model evaluations per step. */
    protected abstract int evaluationsPerStep();

    /**
     * Model evaluations on the step from t to s of model's kernel (default: evaluationsPerStep()); a method that
     * evaluates less on some steps (Heun's Euler step into s(s) = 0) says so here, and the NFE is their sum.
     */
    protected int evaluations(ScoreModel model, double t, double s) {
        return evaluationsPerStep();
    }

    /** Refuses, before any work, a model or grid this sampler cannot run (default: accepts all). */
    protected void check(ScoreModel model, TimeGrid grid) {
    }

    @Override
    public final Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
        return loop(manager, model, grid, noise, monitor, start, Constraint.NONE);
    }

    /** This sampler with constraint applied to the state after every step: "name, constraint" in tables. */
    public final Sampler constrained(Constraint constraint) {
        Arguments.nonNull("constraint", constraint);
        GridSampler inner = this;
        return new Sampler() {
            @Override
            public String name() {
                return inner.name() + ", " + constraint;
            }

            @Override
            public Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
                constraint.check(model, start);
                return inner.loop(manager, model, grid, noise, monitor, start, constraint);
            }
        };
    }

    private Result loop(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start,
            Constraint constraint) {
        Sampler.requireStart(name(), model, grid, start);
        check(model, grid);
        NDArray x = start.duplicate();
        x.attach(manager);
        int nfe = 0;
        monitor.start(name(), grid.steps());
        try {
            for (int k = 0; k < grid.steps(); k++) {
                double t = grid.time(k);
                double s = grid.time(k + 1);
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    NDArray next = step(model, grid, x, t, s, noise, constraint);
                    Arguments.finiteState(name(), k + 1, s, next);
                    next.attach(manager);
                    x = next;
                }
                nfe += evaluations(model, t, s);
                monitor.step(k + 1, s, x, "");
            }
        } finally {
            monitor.end();
        }
        return new Result(x, nfe);
    }
}
