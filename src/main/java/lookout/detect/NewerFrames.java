package lookout.detect;

/**
 * What the detector knows about frames it has not processed yet: whether a newer frame of a camera
 * is already waiting behind the one in hand ({@link FetchedFrames}, or {@link FrameTail} with the log
 * too). {@link LatestFrame} answers a frame that is overtaken this way as {@code skipped}/{@code superseded}
 * instead of analysing it.
 *
 * <p>Only "newer" is asked, never "how many": the answer changes which record a frame gets, never
 * whether it gets one, so exactly-once output is untouched whatever this says.
 */
public interface NewerFrames {
    /** Whether a frame of {@code camera} after {@code offset} (captured at {@code captureTs}) is already in this input partition. */
    boolean newerWaiting(int partition, String camera, long offset, long captureTs);

    /**
     * Whether a frame of another camera than {@code camera}, after {@code offset}, is already in this
     * input partition: the stream thread reaches it next, so anything it does first delays that camera.
     */
    default boolean otherCameraWaiting(int partition, String camera, long offset) {
        return false;
    }

    /**
     * Drops what is known about a partition: called when a stream task (re)starts on it, so offsets
     * seen under an earlier assignment (or before the topic was recreated) cannot overtake anything.
     */
    void forget(int partition);

    /**
     * A frame of {@code camera} in {@code partition} was analysed, {@code nanos} from submission to
     * result: what analysing one more frame costs, against which chasing a newer frame that is only
     * in the log is weighed; and whose turn it is next among the cameras of that partition.
     */
    default void analysed(int partition, String camera, long nanos) {
    }

    /** A stream task now processes this partition (after {@link #forget}). */
    default void following(int partition) {
    }

    /** The stream task of this partition closed (a rebalance moved it, or the service stops). */
    default void leaving(int partition) {
        forget(partition);
    }
}
