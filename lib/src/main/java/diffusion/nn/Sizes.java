package diffusion.nn;

/** Checks of network sizes, shared by the blocks of this package. */
final class Sizes {

    private Sizes() {
    }

    /** Throws IllegalArgumentException naming the size unless value >= min. */
    static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " = " + value + ": must be >= " + min);
        }
    }
}
