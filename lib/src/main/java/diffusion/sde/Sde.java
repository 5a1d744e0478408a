package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.schedule.PerturbationKernel;

/**
 * A forward SDE dx = f(t) x dt + g(t) dw on [0, T] with an affine drift, so that its transition kernel is Gaussian:
 * p_{0t}(x(t) | x(0)) = N(m(t) x(0), s(t)^2 I) with m(t) = exp(int_0^t f) (the PerturbationKernel). Every oracle,
 * loss and sampler written against a PerturbationKernel therefore runs under any SDE unchanged.
 * Song et al. (2021), "Score-Based Generative Modeling through Stochastic Differential Equations".
 */
public interface Sde extends PerturbationKernel {

    /** The horizon T: the SDE runs on [0, T]. */
    double T();

    /** f(t), the drift rate: f(x, t) = f(t) x. */
    double driftRate(double t);

    /** g(t), the diffusion coefficient. */
    double diffusion(double t);

    /** A short name for tables and legends ("VE", "VP", "sub-VP"). */
    String name();

    /** f(x, t) = f(t) x. */
    default NDArray drift(NDArray x, double t) {
        return x.mul(driftRate(t));
    }

    /**
     * The step of the SDE's discrete chain that arrives at t from t - dt: x_t = a x_{t-dt} + G z, z ~ N(0, I).
     * By default Euler-Maruyama, a = 1 + f(t) dt and G = g(t) sqrt(dt); VE and VP override it with the SMLD and DDPM
     * chains whose limits they are. Requires 0 &lt; dt &lt;= t &lt;= T.
     */
    default Transition discretize(double t, double dt) {
        requireStep(t, dt);
        return new Transition(1 + driftRate(t) * dt, diffusion(t) * Math.sqrt(dt)); // a = 1 + f dt, G = g sqrt(dt)
    }

    /** log N(z; 0, sigma_T^2 I) per sample, sigma_T = priorStd(T): -d/2 log(2 pi sigma_T^2) - ||z||^2 / (2 sigma_T^2), shape (n,). */
    default NDArray priorLogDensity(NDArray z) {
        NDArray flat = z.reshape(z.getShape().get(0), -1);
        long d = flat.getShape().get(1);
        double variance = priorStd(T()) * priorStd(T());
        return flat.square().sum(new int[] {1}).div(-2 * variance).sub(0.5 * d * Math.log(2 * Math.PI * variance));
    }

    /** tMax = T. */
    @Override
    default double tMax() {
        return T();
    }

    /** Accepts 0 &lt; dt &lt;= t &lt;= T. */
    default void requireStep(double t, double dt) {
        requireTime("t", t);
        if (!(dt > 0 && dt <= t)) {
            throw new IllegalArgumentException("dt = " + dt + " must lie in (0, t = " + t + "]");
        }
    }

    /** One step of a discrete chain, x_t = a x_{t-dt} + G z. */
    record Transition(double a, double G) {
    }
}
