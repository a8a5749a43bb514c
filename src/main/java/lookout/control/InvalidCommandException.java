package lookout.control;

/** A control record that is not a valid command; the message goes into an {@code error} event. */
public class InvalidCommandException extends Exception {
    private final String id;

    public InvalidCommandException(String id, String message) {
        super(message);
        this.id = id;
    }

    /** The command's id when it could be read, else null. */
    public String id() {
        return id;
    }
}
