package lookout.registry;

/** A model version that cannot be reassembled or whose bytes do not match its sha256. */
public class ModelIntegrityException extends Exception {
    public ModelIntegrityException(String message) {
        super(message);
    }
}
