package lookout.track;

/**
 * One track as the tracker keeps it between frames.
 *
 * @param id         its id, or {@link TrackedDetection#NO_TRACK} while tentative (ids are handed out on
 *                   confirmation, so the ids a camera's consumers see have no gaps from one-frame noise)
 * @param hits       how many frames matched it in a row since it started (counts toward confirmation)
 * @param missed     consecutive frames without a match up to the last processed frame (0: seen then)
 * @param kalman     its motion state
 * @param appearance its running colour descriptor ({@link lookout.detections.Appearance}); null when the
 *                   tracker is given none
 */
public record Track(long id, int hits, int missed, KalmanBoxFilter.State kalman, float[] appearance) {

    public Track(long id, int hits, int missed, KalmanBoxFilter.State kalman) {
        this(id, hits, missed, kalman, null);
    }

    public boolean confirmed() {
        return id != TrackedDetection.NO_TRACK;
    }
}
