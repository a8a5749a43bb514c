package lookout.camera;

/** A camera could not be opened (or a file or folder could not be read) and will not be retried. */
public class CameraUnavailableException extends RuntimeException {
    private final String cameraId;

    public CameraUnavailableException(String cameraId, String message, Throwable cause) {
        super(message, cause);
        this.cameraId = cameraId;
    }

    public String cameraId() {
        return cameraId;
    }
}
