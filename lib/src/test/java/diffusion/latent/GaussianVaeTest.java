package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.loss.Decoder;
import diffusion.metrics.MonteCarlo;
import diffusion.report.Environment;
import diffusion.train.Trainer;
import diffusion.train.TrainingConfig;
import org.junit.jupiter.api.Test;

class GaussianVaeTest extends ManagedTest {

    @Test
    void forwardIsTheNegativeElboWrittenOut() {
        // -ELBO = 1/2 sum_j [log 2 pi + lv_j + (x_j - m_j)^2 / e^{lv_j}] + 1/2 sum_i [mu_i^2 + e^{s_i} - 1 - s_i],
        // at z = mu + e^{s/2} eps: the decoder sees the standard deviation, not the variance.
        Environment.seed(1);
        GaussianVae vae = new GaussianVae(3, 2, 16, 2, Decoder.GAUSSIAN);
        vae.initialize(manager);
        ParameterStore store = new ParameterStore(manager, false);
        NDArray x = Noise.seeded(2).normal(manager, new Shape(5, 3));
        NDArray eps = Noise.seeded(3).normal(manager, new Shape(5, 2));
        NDList q = vae.encode(store, x, false);
        NDArray mu = q.get(0);
        NDArray z = mu.add(q.get(1).mul(0.5f).exp().mul(eps));
        NDList p = vae.decode(store, z, false);
        NDArray nll = p.get(1).add(x.sub(p.get(0)).square().div(p.get(1).exp())).add((float) Math.log(2 * Math.PI)).mul(0.5f).sum(new int[] {1});
        NDArray kl = mu.square().add(q.get(1).exp()).sub(1).sub(q.get(1)).mul(0.5f).sum(new int[] {1});
        NDArray expected = nll.add(kl);
        NDArray actual = vae.forward(store, new NDList(x, eps), false).head();
        assertEquals(0, actual.sub(expected).abs().max().getFloat(), 1e-5, "float32 over O(10) terms of O(1)");
    }

    @Test
    void trainedOnTheLinearGaussianModelItsElboApproachesTheExactLogLikelihood() {
        // d = 2, k = 1: a Gaussian q(z | x) and a Gaussian decoder contain the exact model, so after training the mean ELBO
        // (one draw per row on 4000 held-out rows, seed 21) is below the mean log p(x) and within 0.1 nats of it.
        LinearGaussianModel model = LinearGaussianModel.random(manager, 2, 1, 0.3, 4);
        Environment.seed(5);
        GaussianVae vae = new GaussianVae(2, 1, 32, 2, Decoder.GAUSSIAN);
        GaussianVae ema = vae.sameArchitecture();
        vae.initialize(manager);
        ema.initialize(manager);
        Trainer trainer = new Trainer(manager, vae, ema, vae.objective(), new TrainingConfig(1500, 256, 2e-3, 0.99, 6, 1500, null));
        trainer.train(model.sample(manager, 20_000, 7));
        NDArray test = model.sample(manager, 4000, 21);
        NDArray eps = Noise.seeded(22).normal(manager, new Shape(4000, 1));
        float[] negativeElbo = ema.forward(new ParameterStore(manager, false), new NDList(test, eps), false).head().toFloatArray();
        double[] logP = model.logMarginal(test);
        double[] gap = new double[logP.length];
        for (int i = 0; i < gap.length; i++) {
            gap[i] = logP[i] + negativeElbo[i]; // log p(x) - ELBO
        }
        MonteCarlo.Estimate estimate = MonteCarlo.estimate(gap);
        assertTrue(estimate.mean() > -3 * estimate.standardError(), "the ELBO is a lower bound: gap " + estimate);
        assertTrue(estimate.mean() < 0.1, "trained to within 0.1 nats: gap " + estimate);
    }

    @Test
    void refusesBadInputBeforeWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GaussianVae(2, 0, 8, 1, Decoder.GAUSSIAN));
        assertTrue(e.getMessage().contains("latent dimension k = 0"), e.getMessage());
        GaussianVae vae = new GaussianVae(2, 1, 8, 1, Decoder.GAUSSIAN);
        vae.initialize(manager);
        e = assertThrows(IllegalArgumentException.class, () -> vae.encode(new ParameterStore(manager, false), manager.zeros(new Shape(4, 3)), false));
        assertTrue(e.getMessage().contains("expected (n, 2)"), e.getMessage());
    }
}
