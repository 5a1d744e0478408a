package diffusion.train;

/** Training produced a NaN or infinite loss; the last good checkpoint (if any) is left intact. */
public final class TrainingDivergedException extends IllegalStateException {

    public TrainingDivergedException(int step, float loss, java.nio.file.Path lastGood) {
        super("loss = " + loss + " at step " + step + ": training diverged and was stopped; "
                + (lastGood == null ? "no checkpoint was configured" : "last good checkpoint kept at " + lastGood));
    }
}
