package diffusion.data;

import diffusion.Arguments;

/** A data set's training and test images, disjoint. */
public record ImageSplit(LabelledImages train, LabelledImages test) {

    /** Both parts non-null, with the same image shape. */
    public ImageSplit {
        Arguments.nonNull("train", train);
        Arguments.nonNull("test", test);
        if (!train.sampleShape().equals(test.sampleShape())) {
            throw new IllegalArgumentException("test has images of shape " + test.sampleShape() + " but train has "
                    + train.sampleShape() + ": they must match");
        }
    }
}
