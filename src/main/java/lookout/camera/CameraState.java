package lookout.camera;

/** Where a camera bridge is in its life. */
public enum CameraState {
    /** created, run() not called yet */
    NEW,
    /** opening the source for the first time */
    CONNECTING,
    /** frames are flowing */
    STREAMING,
    /** a live source was lost or could not be reached; waiting out the backoff or retrying */
    RECONNECTING,
    /** the file or folder ended (no loop) and every frame was handed to the producer */
    FINISHED,
    /** stopped by close() */
    STOPPED,
    /** the source could not be opened or read and will not be retried */
    FAILED
}
