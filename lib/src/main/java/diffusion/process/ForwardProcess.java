package diffusion.process;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;

/** The DDPM forward (noising) process of a schedule: one step q(x_t|x_{t-1}) and the closed form q(x_t|x_0). */
public final class ForwardProcess {

    private final NoiseSchedule schedule;

    /** The forward process of schedule. */
    public ForwardProcess(NoiseSchedule schedule) {
        this.schedule = Arguments.nonNull("schedule", schedule);
    }

    /** The schedule. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** One step of q(x_t | x_{t-1}): x_t = sqrt(alpha_t) x_{t-1} + sqrt(1 - alpha_t) eps, t in 1..T. */
    public NDArray step(NDArray xPrev, int t, NDArray eps) {
        Arguments.requireSame("xPrev", xPrev, "eps", eps);
        double alpha = schedule.alpha(t);
        return xPrev.mul(Math.sqrt(alpha)).add(eps.mul(Math.sqrt(1.0 - alpha)));
    }

    /** Proposition 1, q(x_t | x_0): x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps, t in 0..T. */
    public NDArray sample(NDArray x0, int t, NDArray eps) {
        Arguments.requireSame("x0", x0, "eps", eps);
        double alphaBar = schedule.alphaBar(t);
        return x0.mul(Math.sqrt(alphaBar)).add(eps.mul(Math.sqrt(1.0 - alphaBar)));
    }

    /**
     * q(x_t | x_0) with one step per row: x_t[i] = sqrt(alphaBar_{t[i]}) x_0[i] + sqrt(1 - alphaBar_{t[i]}) eps[i],
     * t an integer array of shape (n,) with entries in 0..T.
     */
    public NDArray sample(NDArray x0, NDArray t, NDArray eps) {
        Arguments.requireSame("x0", x0, "eps", eps);
        double[] alphaBar = new double[schedule.T() + 1];
        for (int s = 0; s <= schedule.T(); s++) {
            alphaBar[s] = schedule.alphaBar(s);
        }
        NDArray signal = Coefficients.perRow(alphaBar, 0, t, x0, Math::sqrt);
        NDArray noise = Coefficients.perRow(alphaBar, 0, t, x0, a -> Math.sqrt(1.0 - a));
        return x0.mul(signal).add(eps.mul(noise));
    }
}
