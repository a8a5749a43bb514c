package lookout.inference;

/** Inference failed for a whole batch (native error, unexpected model output). */
public class DetectionException extends RuntimeException {
    public DetectionException(String message) {
        super(message);
    }

    public DetectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
