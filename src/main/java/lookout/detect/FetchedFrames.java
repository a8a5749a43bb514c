package lookout.detect;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/**
 * What is known of each camera's newest frame per input partition, from two sources: the stream
 * threads' own consumers ({@link #fetched}, fed by {@link FetchedFramesInterceptor} as records are
 * fetched, before they are processed) and the log itself ({@link #logged}, fed by {@link FrameTail},
 * which sees frames land within milliseconds while the stream thread is still busy with an older
 * one). One instance per detection service, shared by its stream threads; thread-safe. Grows with
 * the number of cameras, not frames.
 *
 * <p>A frame overtaken by a fetched frame is always superseded: the stream thread processes that
 * newer frame next. A frame overtaken only by a frame in the log is superseded when that frame was
 * captured more than one analysis time later (a running average of submission to result, at least
 * {@link #CHASE_MIN_GAIN_MS}): fetching it costs the model a poll's idle time, which only pays when
 * the frame in hand would be older than one analysis when its analysis starts. A fixed gain made a
 * camera slightly faster than the model alternate analysed and superseded frames, halving the
 * analysed rate. And only once per camera in a row: then the
 * newest fetched frame is analysed whatever the log holds by then, or a camera faster than a poll
 * could be chased forever and never analysed.
 *
 * <p><b>Cameras sharing a partition take turns.</b> Its stream thread reaches their frames in log
 * order, so when it runs late, the camera whose frames come second in the log found its frame
 * overtaken each time by the next one, which lay behind the first camera's next frame: analysed
 * frames went to the first camera and the second was superseded again and again (a quarter of its
 * fair share lost in bench runs). So a camera whose turn it is on its partition (another camera
 * was analysed there after it) has its frame analysed when only one newer frame of it waits and
 * that one lies behind another camera's newest frame (which the thread would analyse first): one
 * frame interval of freshness, once per turn. Not when its next frame comes first: a slow camera
 * sharing with a fast one then reaches its fresher frame in time, and keeping the older one too
 * gave it two analyses in a row and the fast camera two thirds of its share (LatestFrameIT). With
 * two or more newer frames waiting (a backlog) the frame is superseded as usual, so a backlog still
 * collapses to the newest frames; a lone camera never has a turn.
 */
public final class FetchedFrames implements NewerFrames {
    /** The least capture-time gain that is worth another poll, whatever the model's speed. */
    static final long CHASE_MIN_GAIN_MS = 50;
    /** Weight of the newest analysis in the running average. */
    private static final double ANALYSIS_WEIGHT = 0.2;

    private record Key(int partition, String camera) {
    }

    /**
     * A camera's newest frame known in a partition, its capture time (of logged frames only) and the
     * offset of the camera's frame before it (-1: none).
     */
    private record Newest(long offset, long captureTs, long before) {
        /** What is known once the frame at {@code nextOffset} is known too (records may repeat after a rebalance). */
        Newest then(long nextOffset, long nextCaptureTs) {
            if (nextOffset > offset) {
                return new Newest(nextOffset, nextCaptureTs, offset);
            }
            return nextOffset > before && nextOffset < offset ? new Newest(offset, captureTs, nextOffset) : this;
        }

        /** Whether at most one of these frames lies after {@code o}. */
        boolean atMostOneAfter(long o) {
            return before <= o;
        }
    }

    private static final Newest NOTHING = new Newest(-1, 0, -1);

    private final Map<Key, Newest> fetched = new ConcurrentHashMap<>();
    private final Map<Key, Newest> logged = new ConcurrentHashMap<>();
    /** Cameras whose last frame was superseded on the log's word alone. */
    private final Set<Key> chased = ConcurrentHashMap.newKeySet();
    /** Per partition, the camera whose frame was analysed last. */
    private final Map<Integer, String> lastAnalysed = new ConcurrentHashMap<>();
    /** Running average of one analysis, submission to result (ms); 0 until the first. */
    private volatile double analysisMs;

    /** A frame of {@code camera} at {@code offset} was fetched by the stream thread that owns {@code partition}. */
    public void fetched(int partition, String camera, long offset) {
        fetched.compute(new Key(partition, camera), (k, seen) -> (seen == null ? NOTHING : seen).then(offset, 0));
    }

    /** A frame of {@code camera} captured at {@code captureTs} is at {@code offset} in the log of {@code partition}. */
    public void logged(int partition, String camera, long offset, long captureTs) {
        logged.compute(new Key(partition, camera), (k, seen) -> (seen == null ? NOTHING : seen).then(offset, captureTs));
    }

    @Override
    public synchronized void analysed(int partition, String camera, long nanos) {
        lastAnalysed.put(partition, camera);
        double ms = nanos / 1e6;
        analysisMs = analysisMs == 0 ? ms : analysisMs + ANALYSIS_WEIGHT * (ms - analysisMs);
    }

    /** The capture-time gain a frame in the log must have over the frame in hand to be chased (ms). */
    long chaseGainMs() {
        return Math.max(CHASE_MIN_GAIN_MS, Math.round(analysisMs));
    }

    @Override
    public boolean newerWaiting(int partition, String camera, long offset, long captureTs) {
        Key key = new Key(partition, camera);
        Newest inHand = fetched.getOrDefault(key, NOTHING);
        Newest inLog = logged.getOrDefault(key, NOTHING);
        boolean overtaken = inHand.offset() > offset
                || inLog.offset() > offset && inLog.captureTs() - captureTs > chaseGainMs() && chased.add(key);
        if (overtaken && !keepsItsTurn(key, offset, inHand, inLog)) {
            return true;
        }
        chased.remove(key);
        return false;
    }

    /** On its camera's turn, the frame at {@code offset} is analysed though one newer frame waits (see the class comment). */
    private boolean keepsItsTurn(Key key, long offset, Newest inHand, Newest inLog) {
        return turnOf(key.partition(), key.camera()) && inHand.atMostOneAfter(offset) && inLog.atMostOneAfter(offset)
                && otherNewestBetween(key.partition(), key.camera(), offset, newestOffset(key));
    }

    /** Whether another camera was analysed on this partition after {@code camera}'s last analysis. */
    private boolean turnOf(int partition, String camera) {
        String last = lastAnalysed.get(partition);
        return last != null && !last.equals(camera);
    }

    /**
     * Whether another camera's newest known frame in the partition lies between {@code from} and
     * {@code to}: the stream thread analyses that one first, so the frame at {@code to} would come
     * only after that camera's turn.
     */
    private boolean otherNewestBetween(int partition, String camera, long from, long to) {
        return anyOtherNewest(partition, camera, o -> o > from && o < to);
    }

    @Override
    public boolean otherCameraWaiting(int partition, String camera, long offset) {
        return anyOtherNewest(partition, camera, o -> o > offset);
    }

    /** Whether the newest known offset of some other camera in the partition passes {@code test}. */
    private boolean anyOtherNewest(int partition, String camera, LongPredicate test) {
        return Stream.concat(fetched.keySet().stream(), logged.keySet().stream())
                .anyMatch(k -> other(k, partition, camera) && test.test(newestOffset(k)));
    }

    /** The newest offset known of a camera in a partition, fetched or logged (-1: none). */
    private long newestOffset(Key key) {
        return Math.max(fetched.getOrDefault(key, NOTHING).offset(), logged.getOrDefault(key, NOTHING).offset());
    }

    private static boolean other(Key key, int partition, String camera) {
        return key.partition() == partition && !key.camera().equals(camera);
    }

    @Override
    public void forget(int partition) {
        fetched.keySet().removeIf(k -> k.partition() == partition);
        logged.keySet().removeIf(k -> k.partition() == partition);
        chased.removeIf(k -> k.partition() == partition);
        lastAnalysed.remove(partition);
    }

    /** Cameras known, for tests and diagnostics. */
    int size() {
        return fetched.size();
    }
}
