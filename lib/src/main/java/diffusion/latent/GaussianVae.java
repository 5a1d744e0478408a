package diffusion.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Arguments;
import diffusion.loss.Decoder;
import diffusion.loss.Objective;
import diffusion.process.GaussianKl;

/**
 * A Gaussian VAE for d-dimensional data: an MLP encoder x -> (mu, log sigma^2) of q(z | x) = N(mu, diag sigma^2) over
 * k latent dimensions, the reparameterised z = mu + sigma eps, and an MLP decoder z -> (mean, log variance) of
 * p(x | z) = N(mean, diag variance) read through a loss.Decoder (GAUSSIAN: a density; DISCRETISED_256: the Gaussian mass of
 * each 8-bit bin, as the diffusion bound's L_0), with prior p(z) = N(0, I_k). forward((x, eps)) gives the negative ELBO
 * per row, -log p(x | z) + KL(q(z | x) || N(0, I)), a one-draw estimate of -ELBO (nats).
 */
public final class GaussianVae extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final int latentDim;
    private final int width;
    private final int depth;
    private final Decoder likelihood;
    private final SequentialBlock encoder;
    private final SequentialBlock decoder;

    /**
     * Data dimension d >= 1, latent dimension k >= 1, `depth` >= 1 hidden SiLU layers of `width` >= 1 units in each MLP,
     * and the decoder's likelihood.
     */
    public GaussianVae(int dim, int latentDim, int width, int depth, Decoder likelihood) {
        super(VERSION);
        this.likelihood = Arguments.nonNull("likelihood", likelihood);
        Arguments.mlp(width, depth, "dim, latent dimension k", dim, latentDim);
        this.dim = dim;
        this.latentDim = latentDim;
        this.width = width;
        this.depth = depth;
        this.encoder = addChildBlock("encoder", mlp(2 * latentDim));
        this.decoder = addChildBlock("decoder", mlp(2 * dim));
    }

    private SequentialBlock mlp(int outputs) {
        SequentialBlock layers = new SequentialBlock();
        for (int layer = 0; layer < depth; layer++) {
            layers.add(Linear.builder().setUnits(width).build()).add(x -> new NDList(Activation.sigmoid(x.head()).mul(x.head()))); // SiLU
        }
        return layers.add(Linear.builder().setUnits(outputs).build());
    }

    /** A fresh, uninitialised VAE of the same architecture (for the EMA copy). */
    public GaussianVae sameArchitecture() {
        return new GaussianVae(dim, latentDim, width, depth, likelihood);
    }

    /** The data dimension d. */
    public int dim() {
        return dim;
    }

    /** The latent dimension k. */
    public int latentDim() {
        return latentDim;
    }

    /** Initialises the parameters for batches (n, d). */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, dim), new Shape(1, latentDim));
    }

    /** q(z | x): (mu, log sigma^2), each (n, k), for x of shape (n, d). */
    public NDList encode(ParameterStore parameters, NDArray x, boolean training) {
        Arguments.requireBatch("x", x, dim);
        NDArray out = encoder.forward(parameters, new NDList(x), training).head();
        return new NDList(out.get(":, 0:" + latentDim), out.get(":, " + latentDim + ":"));
    }

    /** p(x | z): (mean, log variance), each (n, d), for z of shape (n, k). */
    public NDList decode(ParameterStore parameters, NDArray z, boolean training) {
        Arguments.requireBatch("z", z, latentDim);
        NDArray out = decoder.forward(parameters, new NDList(z), training).head();
        return new NDList(out.get(":, 0:" + dim), out.get(":, " + dim + ":"));
    }

    /** The training objective: the batch mean of the one-draw negative ELBO, eps ~ N(0, I_k) from the engine's generator. */
    public Objective objective() {
        return (parameters, x0) -> forward(parameters, new NDList(x0, x0.getManager().randomNormal(new Shape(x0.getShape().get(0), latentDim))), true)
                .head().mean();
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameters, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray eps = inputs.get(1);
        NDList q = encode(parameters, x, training);
        Arguments.requireSame("mu", q.get(0), "eps", eps);
        NDArray z = Reparameterisation.sample(q.get(0), q.get(1), eps);
        NDList p = decode(parameters, z, training);
        NDArray reconstruction = likelihood.nll(x, p.get(0), p.get(1)); // -log p(x | z)
        NDArray kl = GaussianKl.kl(q.get(0), q.get(1), q.get(0).zerosLike(), q.get(1).zerosLike()); // KL(q(z | x) || N(0, I))
        return new NDList(reconstruction.add(kl));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, new Shape(inputShapes[0].get(0), dim));
        decoder.initialize(manager, dataType, new Shape(inputShapes[0].get(0), latentDim));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }
}
