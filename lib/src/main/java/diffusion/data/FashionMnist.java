package diffusion.data;

import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, Zalando SE, MIT licence): 28x28 grey-scale images of ten kinds of
 * clothing, pixels 0..255, with the published split of 60000 training and 10000 test images. Read from the IDX files
 * of Debian's dataset-fashion-mnist under DIRECTORY (train- and t10k-, images-idx3-ubyte and labels-idx1-ubyte,
 * gzipped or not); images of shape (1, 28, 28).
 */
public final class FashionMnist {

    /** Where Debian's dataset-fashion-mnist installs the files. */
    public static final Path DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** How to get the files. */
    public static final String INSTALL = "install Debian's dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist; "
            + "./workbench run installs it for a notebook that needs it)";

    /** The class names, by label 0..9. */
    public static final String[] CLASS_NAMES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** Image side: 28 pixels. */
    public static final int SIZE = 28;

    private FashionMnist() {
    }

    /** The published split from DIRECTORY. */
    public static ImageSplit load() {
        return load(DIRECTORY);
    }

    /** The published split: train-* (60000 images in Debian's package) and t10k-* (10000). */
    public static ImageSplit load(Path directory) {
        Arguments.nonNull("directory", directory);
        return new ImageSplit(read(directory, "train"), read(directory, "t10k"));
    }

    /** The images and labels of one part, prefix "train" or "t10k", from directory. */
    public static LabelledImages read(Path directory, String prefix) {
        Arguments.allNonNull("directory, prefix", directory, prefix);
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("Fashion-MNIST directory " + directory + " not found: " + INSTALL);
        }
        Path imageFile = file(directory, prefix + "-images-idx3-ubyte");
        Path labelFile = file(directory, prefix + "-labels-idx1-ubyte");
        Idx images = Idx.read(imageFile, INSTALL);
        Idx labels = Idx.read(labelFile, INSTALL);
        if (images.sizes().length != 3 || images.sizes()[1] != SIZE || images.sizes()[2] != SIZE) {
            throw new IllegalArgumentException(imageFile + " holds an array of sizes " + Arrays.toString(images.sizes())
                    + ": expected [n, 28, 28]; " + INSTALL);
        }
        if (labels.sizes().length != 1 || labels.sizes()[0] != images.sizes()[0]) {
            throw new IllegalArgumentException(labelFile + " holds an array of sizes " + Arrays.toString(labels.sizes())
                    + ": expected [" + images.sizes()[0] + "], one label per image of " + imageFile + "; " + INSTALL);
        }
        int[] label = new int[labels.data().length];
        for (int i = 0; i < label.length; i++) {
            label[i] = labels.data()[i] & 0xff;
            if (label[i] >= CLASS_NAMES.length) {
                throw new IllegalArgumentException(labelFile + ": label " + i + " = " + label[i] + " must lie in [0, 9]; " + INSTALL);
            }
        }
        return new LabelledImages(images.data(), label, new Shape(1, SIZE, SIZE), 255, CLASS_NAMES.length);
    }

    /** directory/name.gz when it exists (Debian ships the gzipped files), else directory/name, else an error naming both. */
    private static Path file(Path directory, String name) {
        Path gzipped = directory.resolve(name + ".gz");
        Path plain = directory.resolve(name);
        if (!Files.exists(gzipped) && !Files.exists(plain)) {
            throw new IllegalArgumentException("neither " + gzipped + " nor " + plain + " found: " + INSTALL);
        }
        return Files.exists(gzipped) ? gzipped : plain;
    }
}
