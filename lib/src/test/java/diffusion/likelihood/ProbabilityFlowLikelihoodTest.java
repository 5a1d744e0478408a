package diffusion.likelihood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.ode.DormandPrince;
import diffusion.ode.VectorField;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.ReverseSde;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/**
 * The probability-flow likelihood against exact log-densities: with the oracle's exact score the flow of the VP SDE
 * carries p_eps to p_T exactly, so log p_T(x(T)) + int_eps^T div v dt must equal the oracle's log p_eps(x) up to the
 * ODE solver's error. Computed in float64 so that rounding stays far below the solver tolerance.
 */
class ProbabilityFlowLikelihoodTest extends ManagedTest {

    private static final VpSde SDE = new VpSde(0.1, 20);
    private static final double EPS = 1e-3;

    /** The solve runs from eps up to T over this grid's points (an adaptive solver uses only its ends). */
    private static final TimeGrid GRID = TimeGrid.uniform(SDE, 1, EPS);

    private static GaussianMixtureOracle oracle(GaussianMixture data) {
        return new GaussianMixtureOracle(data, SDE);
    }

    private static GaussianMixture anisotropicGaussian() {
        return GaussianMixture.gaussian(new double[] {0.5, -1.0}, new double[] {0.3, 2.0});
    }

    private NDArray points(GaussianMixture data, int n, long seed) {
        return data.sample(manager, n, seed).toType(DataType.FLOAT64, false);
    }

    /** The exact divergence of a linear field v(x) = A x is tr A, for every x (closed form). */
    @Test
    void exactDivergenceOfALinearFieldIsTheTrace() {
        NDArray aTransposed = manager.create(new double[][] {{0.7, -2.0, 0.1}, {3.0, -1.5, 0.4}, {0.2, 0.5, 2.25}});
        VectorField linear = (x, t) -> x.matMul(aTransposed);
        NDArray x = manager.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(4, 3), DataType.FLOAT64);
        NDArray probes = DivergenceEstimator.EXACT.probes(manager, 4, 3, 0).toType(DataType.FLOAT64, false);
        Divergence.VelocityAndDivergence vd = Divergence.of(linear, x, 0, probes);
        double trace = 0.7 - 1.5 + 2.25;
        for (double divergence : vd.divergence().toDoubleArray()) {
            assertEquals(trace, divergence, 1e-12);
        }
        assertEquals(0, vd.velocity().sub(x.matMul(aTransposed)).abs().max().getDouble(), 1e-12);
    }

    /**
     * Exact log-likelihood of Gaussian and Gaussian-mixture data: log p_T(x(T)) (the oracle's p_T, so no prior
     * mismatch) + delta equals the oracle's log p_eps(x). Tolerance 1e-6 nats: RK45 at rtol = atol = 1e-8 commits a
     * local error of at most ~ 1e-8 per step and state entry of size ~ 1, and the solve takes ~ 100 steps. The prior log-density of the SDE differs from log p_T by the prior mismatch only.
     */
    @Test
    void exactDivergenceRecoversTheOracleLogDensity() {
        for (GaussianMixture data : new GaussianMixture[] {anisotropicGaussian(), Toy2D.eightGaussians()}) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SDE);
            NDArray x = points(data, 16, 7);
            ProbabilityFlowLikelihood.Estimate estimate = new ProbabilityFlowLikelihood(oracle, DivergenceEstimator.EXACT)
                    .logDensity(manager, x, new DormandPrince(1e-8, 1e-8, 10_000), GRID, 0);
            NDArray viaOde = oracle.marginal(SDE.T()).logDensity(estimate.latent()).add(estimate.delta());
            NDArray exact = oracle.marginal(EPS).logDensity(x);
            double error = viaOde.sub(exact).abs().max().getDouble();
            assertTrue(error < 1e-6, data + ": max |log p_ODE - log p_exact| = " + error);
            NDArray priorTerm = SDE.priorLogDensity(estimate.latent());
            assertEquals(0, estimate.logDensity().sub(priorTerm.add(estimate.delta())).abs().max().getDouble(), 1e-12);
        }
    }

    /**
     * Hutchinson's estimator is unbiased: at fixed (x, t), the mean of e^T J e over K = 4000 probes matches the exact
     * trace within 4 standard errors (sample sd / sqrt(K)), for Gaussian and Rademacher probes; and Rademacher probes
     * have the smaller variance (Var = 2 sum_{i != j} J_ij^2 against 2 ||J||_F^2 for the symmetric Jacobian of a score).
     */
    @Test
    void hutchinsonIsUnbiasedAndRademacherHasTheSmallerVariance() {
        GaussianMixture data = Toy2D.eightGaussians();
        VectorField velocity = new ReverseSde(SDE, oracle(data))::probabilityFlow;
        NDArray x = points(data, 3, 11).mul(0.5);
        double t = 0.3;
        int k = 4000;
        NDArray exact = Divergence.of(velocity, x, t, DivergenceEstimator.EXACT.probes(manager, 3, 2, 0).toType(DataType.FLOAT64, false))
                .divergence();
        NDArray repeated = x.tile(new long[] {k, 1}); // row j k-block i: x_i
        double[] variances = new double[2];
        DivergenceEstimator[] probes = {DivergenceEstimator.GAUSSIAN, DivergenceEstimator.RADEMACHER};
        for (int p = 0; p < 2; p++) {
            NDArray e = probes[p].probes(manager, 3 * k, 2, 5 + p).toType(DataType.FLOAT64, false);
            NDArray samples = Divergence.of(velocity, repeated, t, e).divergence().reshape(k, 3);
            NDArray mean = samples.mean(new int[] {0});
            NDArray sd = samples.sub(mean).square().mean(new int[] {0}).sqrt();
            for (int i = 0; i < 3; i++) {
                double tolerance = 4 * sd.getDouble(i) / Math.sqrt(k);
                assertEquals(exact.getDouble(i), mean.getDouble(i), tolerance, probes[p] + " row " + i);
            }
            variances[p] = sd.square().sum().getDouble();
        }
        assertTrue(variances[1] < variances[0], "Rademacher variance " + variances[1] + " >= Gaussian " + variances[0]);
    }

    /**
     * Through the ODE, with probes fixed per solve, the Hutchinson log-likelihood is unbiased: the mean over S = 40
     * seeds matches the exact-divergence solve within 4 standard errors plus the solver error (rtol = atol = 1e-6 over
     * ~ 100 steps: 1e-4 nats).
     */
    @Test
    void hutchinsonLogLikelihoodIsUnbiasedThroughTheOde() {
        GaussianMixture data = Toy2D.eightGaussians();
        NDArray x = points(data, 4, 13);
        DormandPrince solver = new DormandPrince(1e-6, 1e-6, 10_000);
        NDArray exact = new ProbabilityFlowLikelihood(oracle(data), DivergenceEstimator.EXACT).logDensity(manager, x, solver, GRID, 0).logDensity();
        ProbabilityFlowLikelihood hutchinson = new ProbabilityFlowLikelihood(oracle(data), DivergenceEstimator.RADEMACHER);
        int s = 40;
        double[][] estimates = new double[4][s];
        for (int seed = 0; seed < s; seed++) {
            double[] logDensity = hutchinson.logDensity(manager, x, solver, GRID, seed).logDensity().toDoubleArray();
            for (int i = 0; i < 4; i++) {
                estimates[i][seed] = logDensity[i];
            }
        }
        for (int i = 0; i < 4; i++) {
            double mean = java.util.Arrays.stream(estimates[i]).average().orElseThrow();
            double variance = java.util.Arrays.stream(estimates[i]).map(v -> (v - mean) * (v - mean)).sum() / (s - 1);
            double tolerance = 4 * Math.sqrt(variance / s) + 1e-4;
            assertEquals(exact.getDouble(i), mean, tolerance, "row " + i);
            assertTrue(variance > 0, "the estimator must vary with its probes");
        }
    }

    /** Bits per dimension: -log p / (d ln 2); a uniform density 1/4 on a 2D square is 1 bit per dimension. */
    @Test
    void bitsPerDimConvertsNats() {
        NDArray logDensity = manager.create(new double[] {Math.log(0.25), 0});
        double[] bits = ProbabilityFlowLikelihood.bitsPerDim(logDensity, 2).toDoubleArray();
        assertEquals(1.0, bits[0], 1e-12);
        assertEquals(0.0, bits[1], 1e-12);
    }

    /** Every evaluation runs in the solver's step scope: a solve leaves exactly its four results in the caller's manager. */
    @Test
    void aSolveLeavesOnlyItsResults() {
        GaussianMixture data = Toy2D.eightGaussians();
        NDArray x = points(data, 8, 3);
        for (DivergenceEstimator estimator : DivergenceEstimator.values()) {
            try (ai.djl.ndarray.NDManager caller = manager.newSubManager()) {
                new ProbabilityFlowLikelihood(oracle(data), estimator).logDensity(caller, x, DormandPrince.withTolerance(1e-5), GRID, 1);
                assertEquals(4, caller.getManagedArrays().size(), estimator.label());
            }
        }
    }

    @Test
    void badInputIsRejected() {
        ProbabilityFlowLikelihood likelihood = new ProbabilityFlowLikelihood(oracle(anisotropicGaussian()), DivergenceEstimator.EXACT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> likelihood.logDensity(manager, manager.zeros(new ai.djl.ndarray.types.Shape(3, 5)), DormandPrince.withTolerance(1e-5), GRID, 0));
        assertTrue(e.getMessage().contains("x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DivergenceEstimator.GAUSSIAN.probes(manager, 3, 0, 0));
        NDArray x = points(anisotropicGaussian(), 4, 1);
        e = assertThrows(IllegalArgumentException.class, () -> likelihood.logDensity(manager, x, DormandPrince.withTolerance(1e-5),
                TimeGrid.uniform(new VpSde(0.1, 20), 1, EPS), 0));
        assertTrue(e.getMessage().contains("grid is over"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ProbabilityFlowLikelihood(
                new GaussianMixtureOracle(anisotropicGaussian(), diffusion.schedule.NoiseSchedule.linear(100)), DivergenceEstimator.EXACT));
        assertTrue(e.getMessage().contains("SDE"), e.getMessage());
    }
}
