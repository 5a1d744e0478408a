package diffusion.report;

import ai.djl.ndarray.NDArray;
import diffusion.metrics.Mmd;
import diffusion.metrics.SlicedWasserstein;

/**
 * The two sample-quality statistics the notebooks report against one fixed reference data set: the unbiased MMD^2
 * with the RBF kernel at the median-distance bandwidth of the pooled sample (Mmd.rbf) and the sliced Wasserstein-2
 * distance over DIRECTIONS random directions drawn with PROJECTION_SEED (the same directions for every sample scored).
 */
public final class SampleQuality {

    /** Random directions of the sliced Wasserstein distance. */
    public static final int DIRECTIONS = 200;

    /** Seed of those directions. */
    public static final long PROJECTION_SEED = 7;

    private final NDArray reference;

    private SampleQuality(NDArray reference) {
        this.reference = diffusion.Arguments.nonNull("reference", reference);
    }

    /** Scores samples against reference (n, d), which must stay open while this is used. */
    public static SampleQuality against(NDArray reference) {
        return new SampleQuality(reference);
    }

    /** MMD^2 and sliced W2 of samples (m, d) against the reference. */
    public Scores of(NDArray samples) {
        return new Scores(Mmd.rbf(samples, reference), SlicedWasserstein.distance(samples, reference, DIRECTIONS, PROJECTION_SEED));
    }

    /** Unbiased MMD^2 (RBF, median bandwidth) and sliced Wasserstein-2. */
    public record Scores(double mmd, double slicedW2) {
    }
}
