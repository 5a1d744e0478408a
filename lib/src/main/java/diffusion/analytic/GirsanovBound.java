package diffusion.analytic;

import diffusion.Arguments;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import diffusion.sde.Sde;

/**
 * Both sides of the Girsanov bound on the reverse SDE's error (Chen et al. 2023, cited by lecture 000's convergence
 * section), in closed form for 1D Gaussian data p_0 = N(mu0, v0) under an SDE with affine drift, the reverse SDE
 * dx = [f x - g^2 s(x, t)] dt + g dw_bar started from the prior q_T = N(0, priorStd(T)^2) with the perturbed score
 * s = grad log p_t + c h, h(x) = a + k x a fixed affine field:
 * KL(p_0 || q_0) &lt;= KL(p_T || q_T) + 1/2 int_0^T g(t)^2 E_{p_t} (c h(x))^2 dt.
 * The score is affine in x, so the sampled law q_t is Gaussian: its mean M and variance W solve, from T down to 0,
 * dM/dt = (f - g^2 A) M - g^2 B and dW/dt = 2 (f - g^2 A) W - g^2, with s(x, t) = A(t) x + B(t); both ODEs and the
 * score-error integral are integrated by classical Runge-Kutta on a uniform grid of the given number of steps.
 */
public final class GirsanovBound {

    private final Sde sde;
    private final double mu0;
    private final double v0;
    private final double a;
    private final double k;

    /** Data N(mu0, v0) (v0 &gt; 0) under sde (finite horizon), perturbation field h(x) = a + k x. */
    public GirsanovBound(Sde sde, double mu0, double v0, double a, double k) {
        this.sde = Arguments.nonNull("sde", sde);
        if (!Double.isFinite(sde.T())) {
            throw new IllegalArgumentException("sde = " + sde + " has horizon T = " + sde.T() + "; the bound needs a finite T");
        }
        this.mu0 = Arguments.finite("mu0", mu0);
        this.v0 = Arguments.positive("v0", v0);
        this.a = Arguments.finite("a", a);
        this.k = Arguments.finite("k", k);
    }

    /**
     * The two sides at perturbation size c: KL(p_0 || q_0), KL(p_T || q_T) and the score term, with the sampled law
     * q_0 = N(sampledMean, sampledVariance).
     */
    public record Sides(double c, double sampledKl, double priorKl, double scoreTerm, double sampledMean, double sampledVariance) {

        /** The bound's right-hand side, KL(p_T || q_T) + score term. */
        public double bound() {
            return priorKl + scoreTerm;
        }

        /** sampledKl / bound, in [0, 1] where the bound holds. */
        public double tightness() {
            return sampledKl / bound();
        }
    }

    /** Both sides at perturbation size c (finite), the ODEs integrated over steps (&gt;= 1) uniform RK4 steps. */
    public Sides sides(double c, int steps) {
        Arguments.finite("c", c);
        Arguments.size("steps", steps, 1);
        double T = sde.T();
        double priorVariance = sde.priorStd(T) * sde.priorStd(T);
        double h = T / steps;
        double[] y = {0, priorVariance, 0}; // (M, W, score integral from t to T), at t = T
        for (int i = steps; i > 0; i--) {
            double t = i * h;
            double[] k1 = rate(t, y, c);
            double[] k2 = rate(t - h / 2, shift(y, k1, -h / 2), c);
            double[] k3 = rate(t - h / 2, shift(y, k2, -h / 2), c);
            double[] k4 = rate(t - h, shift(y, k3, -h), c);
            for (int j = 0; j < 3; j++) {
                y[j] -= h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]); // RK4 step from t to t - h
            }
        }
        double priorKl = kl(sde.meanScale(T) * mu0, variance(T), 0, priorVariance);
        Sides sides = new Sides(c, kl(mu0, v0, y[0], y[1]), priorKl, y[2], y[0], y[1]);
        String parameters = "mu0 = " + mu0 + ", v0 = " + v0 + ", a = " + a + ", k = " + k + ", c"; // the sides depend on them all
        Arguments.finiteResult(parameters, c, "the bound", sides.bound());
        Arguments.finiteResult(parameters, c, "the sampled KL", sides.sampledKl());
        return sides;
    }

    /** The perturbed score model s = exact + c (a + k x) over exact's kernel (which must be this bound's SDE). */
    public ScoreModel perturbed(ScoreModel exact, double c) {
        Arguments.finite("c", c);
        Arguments.finiteResult("c", c, "c k in float32", (float) (c * k)); // the field is computed in the state's float32
        Arguments.finiteResult("c", c, "c a in float32", (float) (c * a));
        if (exact.kernel() != sde) {
            throw new IllegalArgumentException("the exact model predicts for " + exact.kernel() + ", not for " + sde);
        }
        return ScoreModel.of(exact.sampleShape(), sde, Parameterisation.SCORE,
                (x, t) -> exact.score(x, t).add(x.mul(c * k).add(c * a))); // s + c (a + k x)
    }

    /** V(t) = m(t)^2 v0 + s(t)^2, the variance of p_t. */
    private double variance(double t) {
        double m = sde.meanScale(t);
        double s = sde.std(t);
        return m * m * v0 + s * s;
    }

    /** d/dt of (M, W, I) at t: the moment ODEs of the reverse SDE and -g^2 E_{p_t}(c h)^2 / 2 for I = int_t^T. */
    private double[] rate(double t, double[] y, double c) {
        double f = sde.driftRate(t);
        double g2 = sde.diffusion(t) * sde.diffusion(t);
        double m = sde.meanScale(t);
        double V = variance(t);
        double A = -1 / V + c * k; // s(x, t) = A x + B with grad log p_t = -(x - m mu0) / V
        double B = m * mu0 / V + c * a;
        double meanH = a + k * m * mu0;
        double expectedH2 = meanH * meanH + k * k * V; // E_{p_t} h^2
        return new double[] {(f - g2 * A) * y[0] - g2 * B, 2 * (f - g2 * A) * y[1] - g2, -0.5 * g2 * c * c * expectedH2};
    }

    /** KL(N(mu1, var1) || N(mu2, var2)) = [log(var2 / var1) + (var1 + (mu1 - mu2)^2) / var2 - 1] / 2. */
    static double kl(double mu1, double var1, double mu2, double var2) {
        return 0.5 * (Math.log(var2 / var1) + (var1 + (mu1 - mu2) * (mu1 - mu2)) / var2 - 1);
    }

    private static double[] shift(double[] y, double[] rate, double by) {
        return new double[] {y[0] + by * rate[0], y[1] + by * rate[1], y[2] + by * rate[2]};
    }
}
