package diffusion.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;

/**
 * Geometric Brownian motion dx = mu x dt + sigma x dw on x &gt; 0, a 1D SDE whose diffusion G(x, t) = sigma x depends
 * on the state, for lecture 000's Theorem 1: the reverse SDE of dx = f dt + G dw is
 * dx = {f - div(G G^T) - G G^T grad log p_t} dt + G dw_bar, here dx = {mu x - 2 sigma^2 x - sigma^2 x^2 d/dx log p_t} dt
 * + sigma x dw_bar. With log-normal data, log x_0 ~ N(a, v), every marginal is log-normal,
 * log x_t ~ N(a + (mu - sigma^2 / 2) t, v + sigma^2 t) (Ito), so its score is exact:
 * d/dx log p_t(x) = -(1 + (log x - m_t) / s_t^2) / x.
 */
public final class GeometricBrownianMotion {

    private final double mu;
    private final double sigma;
    private final double a;
    private final double v;

    /** The largest |log x_0| scale (a, mu, sigma, sqrt v): exp(88.7) overflows float32, in which x_t is computed. */
    private static final double MAX_LOG = 88;

    /** Drift rate mu, volatility sigma &gt; 0, data log x_0 ~ N(a, v) with v &gt; 0; |mu|, |a|, sigma, sqrt v at most MAX_LOG. */
    public GeometricBrownianMotion(double mu, double sigma, double a, double v) {
        this.mu = Arguments.within("mu", mu, -MAX_LOG, MAX_LOG);
        this.sigma = Arguments.within("sigma", Arguments.positive("sigma", sigma), 0, MAX_LOG);
        this.a = Arguments.within("a", a, -MAX_LOG, MAX_LOG);
        this.v = Arguments.within("v", Arguments.positive("v", v), 0, MAX_LOG * MAX_LOG);
    }

    /** Accepts a time t &gt;= 0 (named parameter) whose log-moments m_t and s_t^2 are finite in float32, where x_t is computed. */
    private double requireTime(String parameter, double t) {
        Arguments.nonNegative(parameter, t);
        Arguments.finiteResult(parameter, t, "m_t in float32", (float) logMean(t));
        Arguments.finiteResult(parameter, t, "s_t^2 in float32", (float) logVariance(t));
        return t;
    }

    /** m_t = a + (mu - sigma^2 / 2) t, the mean of log x_t. */
    public double logMean(double t) {
        return a + (mu - sigma * sigma / 2) * Arguments.nonNegative("t", t);
    }

    /** s_t^2 = v + sigma^2 t, the variance of log x_t. */
    public double logVariance(double t) {
        return v + sigma * sigma * Arguments.nonNegative("t", t);
    }

    /** n draws of x_t = exp(m_t + s_t z), shape (n, 1). */
    public NDArray sample(NDManager manager, int n, double t, Noise noise) {
        Arguments.sampleCount(n, 1);
        requireTime("t", t);
        return noise.normal(manager, new Shape(n, 1)).mul(Math.sqrt(logVariance(t))).add(logMean(t)).exp(); // exp(m + s z)
    }

    /** The exact score d/dx log p_t(x) = -(1 + (log x - m_t) / s_t^2) / x for x &gt; 0. */
    public NDArray score(NDArray x, double t) {
        Arguments.positive("x", x);
        requireTime("t", t);
        return x.log().sub(logMean(t)).div(logVariance(t)).add(1).div(x).neg();
    }

    /**
     * The reverse drift f - d/dx(G^2) - G^2 score = mu x - 2 sigma^2 x - sigma^2 x^2 score; without the divergence
     * term (divergence false) mu x - sigma^2 x^2 score, the form that forgets that G depends on x.
     */
    public NDArray reverseDrift(NDArray x, double t, boolean divergence) {
        NDArray drift = x.mul(mu).sub(x.square().mul(score(x, t)).mul(sigma * sigma)); // f - G^2 score
        return divergence ? drift.sub(x.mul(2 * sigma * sigma)) : drift; // - d/dx (sigma^2 x^2) = -2 sigma^2 x
    }

    /**
     * Euler-Maruyama on the reverse SDE from x(T) = xT (n, 1) down to 0 in steps uniform steps:
     * x &lt;- x - drift dt + sigma x sqrt(dt) z, each step in its own sub-manager; the result lives in manager.
     */
    public NDArray reverse(NDManager manager, NDArray xT, double T, int steps, Noise noise, boolean divergence) {
        requireTime("T", Arguments.positive("T", T));
        Arguments.size("steps", steps, 1);
        Arguments.requireBatch("xT", xT, 1);
        Arguments.positive("xT", xT);
        double dt = T / steps;
        NDArray x = xT.duplicate();
        x.attach(manager);
        for (int k = 0; k < steps; k++) {
            double t = T - k * dt;
            try (NDManager scope = manager.newSubManager()) {
                x.attach(scope);
                NDArray z = noise.normal(scope, x.getShape());
                NDArray next = x.sub(reverseDrift(x, t, divergence).mul(dt)).add(x.mul(z).mul(sigma * Math.sqrt(dt))); // x - drift dt + G sqrt(dt) z
                Arguments.finiteState("GBM reverse SDE", k + 1, t - dt, next);
                next.attach(manager);
                x = next;
            }
        }
        return x;
    }
}
