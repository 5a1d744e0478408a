package diffusion;

import ai.djl.ndarray.NDArray;
import java.util.function.ObjDoubleConsumer;

/**
 * The one way a long run reports itself: samplers, ODE solvers, training and MCMC call start, then step after every
 * step, then end. A monitor may print progress, record a trajectory, or do nothing; the state passed to step is valid
 * only during the call.
 */
public interface Monitor {

    /** A run named label of total &gt;= 1 steps begins. */
    default void start(String label, long total) {
    }

    /** Step k (1..total) is done: the state x (null where there is none, as in training) at time t (NaN if none). */
    default void step(long k, double t, NDArray x, String status) {
    }

    /** The run has ended (normally or not). */
    default void end() {
    }

    /** Prints nothing and observes nothing. */
    static Monitor quiet() {
        return new Monitor() {
        };
    }

    /** A progress line with rate and ETA on System.out, only for runs that last over Progress.INTERVAL_SECONDS. */
    static Monitor progress() {
        return new Monitor() {
            private Progress progress;

            @Override
            public void start(String label, long total) {
                progress = Progress.forLongRuns(label, total);
            }

            @Override
            public void step(long k, double t, NDArray x, String status) {
                progress.update(k, Double.isNaN(t) ? status : String.format("t=%.4g %s", t, status).strip());
            }

            @Override
            public void end() {
                progress.close();
            }
        };
    }

    /** Quiet, calling observer.accept(x, t) after every step (for trajectories). */
    static Monitor observer(ObjDoubleConsumer<NDArray> observer) {
        Arguments.nonNull("observer", observer);
        return new Monitor() {
            @Override
            public void step(long k, double t, NDArray x, String status) {
                observer.accept(x, t);
            }
        };
    }

    /** This monitor and then other, at every call. */
    default Monitor and(Monitor other) {
        Monitor self = this;
        return new Monitor() {
            @Override
            public void start(String label, long total) {
                self.start(label, total);
                other.start(label, total);
            }

            @Override
            public void step(long k, double t, NDArray x, String status) {
                self.step(k, t, x, status);
                other.step(k, t, x, status);
            }

            @Override
            public void end() {
                self.end();
                other.end();
            }
        };
    }
}
