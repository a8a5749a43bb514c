package lookout.stats;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;

import lookout.common.Json;
import lookout.detections.DetectionRecord;
import lookout.kafka.Topics;

/**
 * Per-camera statistics over tumbling windows of service time (epoch-aligned, as Kafka Streams'
 * {@code TimeWindows}), published to {@code lookout.camera-stats} when a window closes: people in view
 * (min/mean/max over analysed frames), distinct track ids, frames analysed and skipped (by reason),
 * and entries/exits across the camera's counting line. Also drives the per-camera Prometheus meters.
 *
 * <p>A window closes when the camera's newest capture time has passed its end by the grace period
 * (frames of one camera arrive in order, so grace only absorbs clock jitter), or, for a camera that
 * fell silent, when the wall clock has gone a window plus grace past its last frame: a stalled
 * camera's last numbers still come out. The windows are kept per camera in a changelogged store
 * ({@link #STORE}), written in the same transaction as the frame's output under exactly_once_v2.
 * A frame whose window was already published is counted as {@code late} in the next one.
 *
 * <p><b>Time.</b> A frame's window is chosen by its service time ({@link DetectionRecord#serviceTs()}):
 * its capture time while the camera's clock is within {@code lookout.clock.max-skew} of the send time,
 * else the send time (the window then counts it in {@code frames.rebased} and says {@code clockSkewMs}).
 * The windows a camera can open are bounded by the service's clock: never past now plus the bound,
 * whatever a record says. A stats record's timestamp is its window's end, never later than now: the
 * broker refuses records more than {@code message.timestamp.after.max.ms} (1 h) ahead, and a refused
 * record would fail the whole transaction of the frame that closed the window, again at every retry.
 * State left by a clock the service no longer trusts (windows ahead of now plus the bound, e.g.
 * written before this rule) is published at once and the camera starts afresh.
 *
 * <p>The DSL's {@code windowedBy().aggregate()} was not used: counting-line crossings need each
 * track's last position across windows, and closing a silent camera's window needs wall-clock
 * punctuation, both of which want the camera's whole state in one place.
 */
public final class CameraStatsProcessor implements Processor<byte[], DetectionRecord, String, byte[]> {
    public static final String STORE = "lookout-camera-stats";
    static final String UNKNOWN_CAMERA = "unknown";

    /** What the statistics need to know; from {@code lookout.stats.*} and the tracker's memory. */
    public record Settings(Duration window, Duration grace, Duration flushInterval, double lineMargin,
            int forgetTrackAfterFrames, Duration clockMaxSkew) {
    }

    private static final Logger LOG = Logger.getLogger(CameraStatsProcessor.class);
    private final Settings settings;
    private final long windowMs;
    private final CountingLines lines;
    private final CameraMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, CameraStatsState> store;

    public CameraStatsProcessor(Settings settings, CountingLines lines, CameraMetrics metrics) {
        this.settings = settings;
        this.windowMs = settings.window().toMillis();
        this.lines = lines;
        this.metrics = metrics;
    }

    public static StoreBuilder<KeyValueStore<String, CameraStatsState>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), stateSerde())
                .withLoggingEnabled(Topics.perFrameChangelog());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeSilentCameras);
    }

    @Override
    public void process(Record<byte[], DetectionRecord> record) {
        DetectionRecord frame = record.value();
        if (frame == null) {
            return;
        }
        // the camera id the detections record names (the key's UTF-8 reading)
        String camera = frame.camera() == null ? UNKNOWN_CAMERA : frame.camera();
        CameraStatsState state = store.get(camera);
        if (state == null) {
            state = new CameraStatsState();
        }
        long now = context.currentSystemTimeMs(); // the clock wall-clock punctuation runs on
        state.lastArrival = now;
        metrics.frameAnswered(camera, now);

        long horizon = now + settings.clockMaxSkew().toMillis();
        if (state.streamTime > horizon || state.closedBefore > horizon) {
            // windows of a clock the service no longer trusts: out with them, so they cannot hold this camera's
            // windows shut (or open) until that time comes
            LOG.warnf("camera %s: statistics state reached %d, beyond the service's clock (%d) plus the clock bound; "
                    + "publishing its open windows and starting afresh", clip(camera), state.streamTime, now);
            close(camera, state, Long.MAX_VALUE, now);
            state.streamTime = Long.MIN_VALUE;
            state.closedBefore = Long.MIN_VALUE;
        }
        long at = Math.max(0, Math.min(frame.serviceTs(), horizon));
        long start = at - Math.floorMod(at, windowMs);
        CameraWindow window = null;
        if (start < state.closedBefore) {
            state.late++;
        } else {
            window = state.open.computeIfAbsent(start, s -> new CameraWindow(s, s + windowMs));
            window.add(frame);
            if (frame.clockSkewMs() != null || at != frame.serviceTs()) {
                window.rebased(frame.clockSkewMs() != null ? frame.clockSkewMs() : frame.captureTs() - at);
            }
        }
        if (frame.analysed()) {
            metrics.people(camera, frame.detections().size());
            countNewTracks(camera, state, frame);
            countCrossings(camera, state, frame, window);
        }
        state.streamTime = Math.max(state.streamTime, at);
        close(camera, state, state.streamTime - settings.grace().toMillis(), now);
        store.put(camera, state);
    }

    private void countNewTracks(String camera, CameraStatsState state, DetectionRecord frame) {
        long started = 0;
        long max = state.maxTrackId;
        for (DetectionRecord.Item item : frame.detections()) {
            if (item.trackId() != null && item.trackId() > state.maxTrackId) {
                started++;
                max = Math.max(max, item.trackId());
            }
        }
        state.maxTrackId = max;
        metrics.tracksStarted(camera, started);
    }

    /**
     * Moves each tracked person's foot point (bottom centre of the box) and counts line crossings: a
     * track counts when it is firmly on the other side of the line (outside the margin) from where it
     * last firmly was, and its way there crossed the segment.
     */
    private void countCrossings(String camera, CameraStatsState state, DetectionRecord frame, CameraWindow window) {
        state.frames++;
        CountingLine line = lines.get(camera);
        if (line == null ? state.line != null : !line.equals(state.line)) {
            state.points.clear(); // sides taken against another line mean nothing for this one
            state.line = line;
        }
        if (line != null && frame.width() > 0 && frame.height() > 0) {
            metrics.crossed(camera, CountingLine.NONE);
            for (DetectionRecord.Item item : frame.detections()) {
                if (item.trackId() == null) {
                    continue;
                }
                double x = (item.box()[0] + item.box()[2]) / 2.0 / frame.width();
                double y = item.box()[3] / (double) frame.height();
                int side = line.side(x, y, settings.lineMargin());
                CameraStatsState.TrackPoint last = state.points.get(item.trackId());
                if (side == 0) {
                    // on the line: keep the last firm point, only note the track is still here
                    state.points.put(item.trackId(), last == null ? new CameraStatsState.TrackPoint(x, y, state.frames, 0)
                            : new CameraStatsState.TrackPoint(last.x(), last.y(), state.frames, last.side()));
                    continue;
                }
                if (last != null && last.side() != 0 && last.side() != side) {
                    int direction = line.crossing(last.x(), last.y(), x, y);
                    metrics.crossed(camera, direction);
                    if (window != null) {
                        window.crossed(direction);
                    }
                }
                state.points.put(item.trackId(), new CameraStatsState.TrackPoint(x, y, state.frames, side));
            }
        }
        // the tracker has ended a track missed this long; its id never comes back
        state.points.values().removeIf(p -> state.frames - p.frame() > settings.forgetTrackAfterFrames());
    }

    /** Publishes and drops the open windows that end at or before {@code upTo}. */
    private void close(String camera, CameraStatsState state, long upTo, long now) {
        for (Iterator<Map.Entry<Long, CameraWindow>> it = state.open.entrySet().iterator(); it.hasNext();) {
            CameraWindow w = it.next().getValue();
            if (w.end > upTo) {
                break;
            }
            it.remove();
            publish(camera, state, w, now);
        }
    }

    private void publish(String camera, CameraStatsState state, CameraWindow w, long now) {
        CameraStatsRecord out = w.toRecord(camera, state.line != null, state.late);
        state.late = 0;
        state.closedBefore = Math.max(state.closedBefore, w.end);
        try {
            // the record's timestamp is the service's: the window's end, never later than now
            context.forward(new Record<>(camera, Json.MAPPER.writeValueAsBytes(out), Math.max(0, Math.min(w.end, now))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise camera statistics", e);
        }
    }

    /** Wall-clock punctuation: a camera silent for a window plus grace gets its open windows published. */
    private void closeSilentCameras(long now) {
        long quiet = settings.window().toMillis() + settings.grace().toMillis();
        List<KeyValue<String, CameraStatsState>> changed = new ArrayList<>();
        try (KeyValueIterator<String, CameraStatsState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, CameraStatsState> kv = all.next();
                if (!kv.value.open.isEmpty() && now - kv.value.lastArrival >= quiet) {
                    changed.add(kv);
                }
            }
        }
        for (KeyValue<String, CameraStatsState> kv : changed) {
            close(kv.key, kv.value, Long.MAX_VALUE, now);
            store.put(kv.key, kv.value);
        }
    }

    private static String clip(String camera) {
        return camera.length() > 64 ? camera.substring(0, 64) + "..." : camera;
    }

    static Serde<CameraStatsState> stateSerde() {
        return Serdes.serdeFrom((topic, state) -> {
            try {
                return state == null ? null : Json.MAPPER.writeValueAsBytes(state);
            } catch (JsonProcessingException e) {
                throw new SerializationException("cannot write camera statistics state", e);
            }
        }, (topic, bytes) -> {
            try {
                return bytes == null ? null : Json.MAPPER.readValue(bytes, CameraStatsState.class);
            } catch (IOException e) {
                throw new SerializationException("unreadable camera statistics state", e);
            }
        });
    }
}
