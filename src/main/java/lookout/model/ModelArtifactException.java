package lookout.model;

/** A model artifact that cannot be used: missing or unreadable files, bad metadata, checksum mismatch, unloadable TorchScript. */
public class ModelArtifactException extends Exception {
    public ModelArtifactException(String message) {
        super(message);
    }

    public ModelArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
