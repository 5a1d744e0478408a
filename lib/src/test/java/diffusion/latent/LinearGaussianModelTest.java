package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.ManagedTest;
import diffusion.metrics.MonteCarlo;
import org.junit.jupiter.api.Test;

class LinearGaussianModelTest extends ManagedTest {

    private static final double[] X = {0.7, -1.2, 0.3, 2.0};

    private static LinearGaussianModel model() {
        return LinearGaussianModel.random(manager, 4, 2, 0.5, 3);
    }

    /** A q(z | x) away from the posterior, with correlated coordinates. */
    private static final Gaussian Q = new Gaussian(new double[] {0.4, -0.2}, new double[][] {{0.3, 0.1}, {0.1, 0.5}});

    @Test
    void bayesRuleHoldsAtEveryZ() {
        // log p(x | z) + log p(z) - log p(z | x) = log p(x) for every z: marginal and posterior are consistent.
        LinearGaussianModel model = model();
        Gaussian posterior = model.posterior(X);
        double logMarginal = model.marginal().logDensity(X);
        for (double[] z : new double[][] {{0, 0}, {1, -2}, {-3, 0.5}}) {
            double viaBayes = model.logLikelihood(X, z) + model.prior().logDensity(z) - posterior.logDensity(z);
            assertEquals(logMarginal, viaBayes, 1e-10, "double precision over O(10) terms");
        }
    }

    @Test
    void theTwoDecompositionsAgreeAndTheGapIsTheKlToThePosterior() {
        LinearGaussianModel.Elbo elbo = model().elbo(X, Q);
        assertEquals(elbo.viaPrior(), elbo.viaPosterior(), 1e-10, "closed forms in double precision");
        assertEquals(elbo.klToPosterior(), elbo.gap(), 1e-10, "closed forms in double precision");
        assertTrue(elbo.gap() > 0.1, "q is away from the posterior: gap " + elbo.gap());
    }

    @Test
    void theMonteCarloElboMatchesTheClosedForm() {
        LinearGaussianModel model = model();
        MonteCarlo.Estimate estimate = model.elboEstimate(manager, X, Q, 20_000, 11);
        double closedForm = model.elbo(X, Q).viaPrior();
        assertEquals(closedForm, estimate.mean(), 4 * estimate.standardError(), "4 standard errors of 20000 draws (seed 11)");
        double logMarginal = model.marginal().logDensity(X);
        assertTrue(logMarginal - estimate.mean() > 4 * estimate.standardError(), "the gap is resolved by the estimate");
    }

    @Test
    void theElboIsTightAtTheTruePosterior() {
        LinearGaussianModel model = model();
        Gaussian posterior = model.posterior(X);
        LinearGaussianModel.Elbo elbo = model.elbo(X, posterior);
        assertEquals(0, elbo.klToPosterior(), 1e-12, "KL(p || p)");
        assertEquals(elbo.logMarginal(), elbo.viaPrior(), 1e-10, "closed forms in double precision");
        // every draw's log p(x, z) - log q(z) is log p(x) when q is the posterior: zero variance up to float32 draws.
        MonteCarlo.Estimate estimate = model.elboEstimate(manager, X, posterior, 100, 12);
        assertEquals(elbo.logMarginal(), estimate.mean(), 1e-9, "a constant integrand");
        assertEquals(0, estimate.standardError(), 1e-9, "a constant integrand");
    }

    @Test
    void samplesHaveTheMarginalsMomentsAndLogMarginalIsItsDensity() {
        // x = W z + b + sigma n: mean b and covariance W W^T + sigma^2 I, 4 SE of 100000 draws (seed 8)
        LinearGaussianModel model = model();
        int n = 100_000;
        ai.djl.ndarray.NDArray x = model.sample(manager, n, 8);
        Gaussian marginal = model.marginal();
        for (int j = 0; j < 4; j++) {
            double variance = marginal.covariance()[j][j];
            assertEquals(marginal.mean()[j], MonteCarlo.mean(x, j), 4 * MonteCarlo.meanError(variance, n), "mean " + j);
            assertEquals(variance, MonteCarlo.variance(x, j), 4 * MonteCarlo.varianceError(variance, n), "variance " + j);
        }
        double[] logP = model.logMarginal(x.get("0:2"));
        double[] first = x.get(0).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        assertEquals(marginal.logDensity(first), logP[0], 1e-12);
    }

    @Test
    void refusesBadInputBeforeWork() {
        assertMessage(() -> LinearGaussianModel.random(manager, 4, 0, 0.5, 0), "latent dimension k = 0");
        assertMessage(() -> new LinearGaussianModel(new double[][] {{}}, new double[] {0}, 1), "latent dimension k (columns of w) = 0");
        assertMessage(() -> LinearGaussianModel.random(manager, 4, 2, 0, 0), "sigma = 0.0");
        assertMessage(() -> LinearGaussianModel.random(manager, 4, 2, Double.NaN, 0), "sigma = NaN");
        assertMessage(() -> model().elbo(X, Gaussian.standard(3)), "latent dimension k = 2");
        assertMessage(() -> model().posterior(new double[] {1}), "x has length 1");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
