package lookout.dataset;

/** A dataset directory that cannot be read as the announced format. */
public class DatasetException extends Exception {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
