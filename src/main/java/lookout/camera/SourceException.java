package lookout.camera;

/** A source could not be opened or read; the message is meant for an operator. */
public class SourceException extends Exception {
    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
