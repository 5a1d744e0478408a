package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * Lu et al.'s singlestep DPM-Solver-1, -2 and -3 (2022, Algorithms 1 and 2, the "dpmsolver" variant of their code) in
 * the noise-prediction form, on any continuous kernel and grid. It steps in lambda = log(m / s), half the kernel's
 * log-SNR (PerturbationKernel.logSnr = log(m^2 / s^2) = 2 lambda), with h = lambda(s) - lambda(t) on the step from t
 * to s &lt; t; intermediate times u are found by inverting lambda (bisection of sigma(t) = e^(-lambda)):
 * <ul>
 *   <li>order 1: x_s = (m_s / m_t) x_t - s_s (e^h - 1) eps(x_t, t), DDIM with eta = 0 (one evaluation);</li>
 *   <li>order 2 (r_1 = 1/2): u_1 at lambda_t + r_1 h, x_u1 the order-1 step to u_1, and
 *   x_s = (order 1) - s_s (e^h - 1) (eps(x_u1, u_1) - eps(x_t, t)) / (2 r_1) (two evaluations);</li>
 *   <li>order 3 (r_1 = 1/3, r_2 = 2/3): D_1 = eps(x_u1, u_1) - eps_t, x_u2 = (order 1 to u_2)
 *   - (r_2 / r_1) s_u2 ((e^(r_2 h) - 1) / (r_2 h) - 1) D_1, D_2 = eps(x_u2, u_2) - eps_t, and
 *   x_s = (order 1) - s_s ((e^h - 1) / h - 1) D_2 / r_2 (three evaluations).</li>
 * </ul>
 * Each step costs `order` evaluations: NFE = order N (the paper's mixing of orders to hit an exact NFE is left out:
 * pick N). The form is undefined at s = 0 (lambda = infinity), so the grid must end at a positive noise level; orders 2
 * and 3 evaluate between grid times and need a continuous kernel.
 */
public final class DpmSolver extends GridSampler {

    private final int order;

    /** DPM-Solver of order 1, 2 or 3. */
    public DpmSolver(int order) {
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("order = " + order + ": DPM-Solver has orders 1, 2 and 3");
        }
        this.order = order;
    }

    /** The order, 1..3. */
    public int order() {
        return order;
    }

    @Override
    public String name() {
        return "DPM-Solver-" + order;
    }

    @Override
    protected int evaluationsPerStep() {
        return order;
    }

    /** Refuses a grid ending at s = 0, and orders 2 and 3 on a discrete kernel. */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        PerturbationKernel kernel = model.kernel();
        if (!(kernel.std(grid.end()) > 0 && kernel.meanScale(grid.end()) > 0)) {
            throw new IllegalArgumentException(name() + ": the grid ends at t = " + grid.end() + " where s(t) = 0 (lambda = infinity), where"
                    + " the noise-prediction form is undefined; end the grid at a small positive time, or use DPM-Solver++");
        }
        if (order > 1 && kernel.discrete()) {
            throw new IllegalArgumentException(name() + " evaluates the model between grid times, which the discrete kernel " + kernel
                    + " does not have; use order 1 or DPM-Solver++(2M)");
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        PerturbationKernel kernel = model.kernel();
        double lambdaT = lambda(kernel, t);
        double h = lambda(kernel, s) - lambdaT;
        NDArray eps = model.epsilon(x, t);
        NDArray firstOrder = firstOrder(kernel, x, t, s, h, eps);
        if (order == 1) {
            return firstOrder;
        }
        double r1 = order == 2 ? 0.5 : 1.0 / 3;
        double u1 = time(kernel, lambdaT + r1 * h);
        NDArray d1 = model.epsilon(firstOrder(kernel, x, t, u1, r1 * h, eps), u1).sub(eps); // D_1 = eps(x_u1, u_1) - eps_t
        if (order == 2) {
            return firstOrder.sub(Scalar.times(d1, kernel.std(s) * Math.expm1(h) / (2 * r1))); // - s_s (e^h - 1) D_1 / (2 r_1)
        }
        double r2 = 2.0 / 3;
        double u2 = time(kernel, lambdaT + r2 * h);
        NDArray x2 = firstOrder(kernel, x, t, u2, r2 * h, eps)
                .sub(Scalar.times(d1, r2 / r1 * kernel.std(u2) * phi2(r2 * h))); // - (r_2 / r_1) s_u2 phi_2(r_2 h) D_1
        NDArray d2 = model.epsilon(x2, u2).sub(eps); // D_2 = eps(x_u2, u_2) - eps_t
        return firstOrder.sub(Scalar.times(d2, kernel.std(s) * phi2(h) / r2)); // - s_s phi_2(h) D_2 / r_2
    }

    /** (m_u / m_t) x - s_u (e^h - 1) eps with h = lambda(u) - lambda(t): the order-1 step from t to u. */
    private static NDArray firstOrder(PerturbationKernel kernel, NDArray x, double t, double u, double h, NDArray eps) {
        return Scalar.times(x, kernel.meanScale(u) / kernel.meanScale(t)).sub(Scalar.times(eps, kernel.std(u) * Math.expm1(h)));
    }

    /** phi_2(h) = (e^h - 1) / h - 1. */
    private static double phi2(double h) {
        return Math.expm1(h) / h - 1;
    }

    /** lambda(t) = log(m(t) / s(t)) = -log sigma(t) = logSnr(t) / 2, DPM-Solver's time variable; +infinity where s(t) = 0 (the data). */
    public static double lambda(PerturbationKernel kernel, double t) {
        return -Math.log(kernel.sigma(t));
    }

    /** The time t with lambda(t) = lambda on a continuous kernel: sigma(t) = e^(-lambda), by bisection. */
    public static double time(PerturbationKernel kernel, double lambda) {
        return TimeGrid.timeOfSigma(kernel, Math.exp(-lambda));
    }
}
