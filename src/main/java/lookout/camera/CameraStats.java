package lookout.camera;

/**
 * A snapshot of one camera bridge's counters.
 *
 * @param captured   frames read from the source and chosen for publishing (after fps down-sampling)
 * @param sent       frames acknowledged by Kafka
 * @param dropped    frames lost on purpose or by failure: oldest frames evicted from the full
 *                   send queue, frames skipped to keep real time, frames Kafka refused
 * @param reconnects reconnection attempts to a live source
 * @param currentFps frames sent per second over the last few seconds
 * @param lastSeq    {@code lookout.seq} of the last frame Kafka acknowledged (0 = none yet)
 * @param state      life-cycle state
 * @param skipped    frames read but not published because of the fps down-sampling
 */
public record CameraStats(long captured, long sent, long dropped, long reconnects, double currentFps,
        long lastSeq, CameraState state, long skipped) {
}
