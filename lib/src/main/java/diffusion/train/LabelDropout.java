package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;

/**
 * Label dropout for classifier-free guidance (Ho and Salimans 2022): during training each label y in 0..K-1 is replaced
 * by the null label K with probability p_uncond, independently per row, so that one network learns the conditional
 * eps(x, t, y) and the unconditional eps(x, t) = eps(x, t, K). Ho and Salimans train with p_uncond in {0.1, 0.2} and
 * find 0.1 to 0.2 about equally good; this workbench's default is 0.1 (DEFAULT_PROBABILITY).
 *
 * @param classes K &gt;= 1, the number of classes (the null label is K)
 * @param probability p_uncond in [0, 1]
 */
public record LabelDropout(int classes, double probability) {

    /** Ho and Salimans' p_uncond = 0.1. */
    public static final double DEFAULT_PROBABILITY = 0.1;

    /** Validates K and p. */
    public LabelDropout {
        Arguments.atLeast("classes", classes, 1);
        Arguments.within("probability", probability, 0, 1);
    }

    /** Dropout over K classes with p_uncond = DEFAULT_PROBABILITY. */
    public static LabelDropout of(int classes) {
        return new LabelDropout(classes, DEFAULT_PROBABILITY);
    }

    /**
     * labels (n,) in 0..K-1 (refused otherwise) with each entry replaced by K where u &lt; p, u ~ U[0, 1) per row from the engine's (seeded) generator;
     * INT64, in labels' manager.
     */
    public NDArray apply(NDArray labels) {
        Arguments.labels("labels", labels, classes);
        NDArray u = labels.getManager().randomUniform(0, 1, labels.getShape()).toDevice(labels.getDevice(), false);
        NDArray none = labels.getManager().full(labels.getShape(), classes, DataType.INT64).toDevice(labels.getDevice(), false);
        return NDArrays.where(u.lt(probability), none, labels.toType(DataType.INT64, false)); // K where u < p, else y
    }
}
