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
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import com.fasterxml.jackson.core.JsonProcessingException;

import lookout.common.Json;
import lookout.detect.DetectionRecord;
import lookout.kafka.Topics;

/**
 * Per-camera statistics over tumbling windows of capture time (Kafka Streams' {@link TimeWindows},
 * epoch-aligned), published to {@code lookout.camera-stats} when a window closes: people in view
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
 * <p>The DSL's {@code windowedBy().aggregate()} was not used: counting-line crossings need each
 * track's last position across windows, and closing a silent camera's window needs wall-clock
 * punctuation, both of which want the camera's whole state in one place.
 */
public final class CameraStatsProcessor implements Processor<byte[], DetectionRecord, String, byte[]> {
    public static final String STORE = "lookout-camera-stats";
    static final String UNKNOWN_CAMERA = "unknown";

    /** What the statistics need to know; from {@code lookout.stats.*} and the tracker's memory. */
    public record Settings(Duration window, Duration grace, Duration flushInterval, double lineMargin,
            int forgetTrackAfterFrames) {
    }

    private final Settings settings;
    private final TimeWindows windows;
    private final CountingLines lines;
    private final CameraMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, CameraStatsState> store;

    public CameraStatsProcessor(Settings settings, CountingLines lines, CameraMetrics metrics) {
        this.settings = settings;
        this.windows = TimeWindows.ofSizeWithNoGrace(settings.window());
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

        long start = windows.windowsFor(frame.captureTs()).keySet().iterator().next();
        CameraWindow window = null;
        if (start < state.closedBefore) {
            state.late++;
        } else {
            window = state.open.computeIfAbsent(start, s -> new CameraWindow(s, s + settings.window().toMillis()));
            window.add(frame);
        }
        if (frame.analysed()) {
            metrics.people(camera, frame.detections().size());
            countNewTracks(camera, state, frame);
            countCrossings(camera, state, frame, window);
        }
        state.streamTime = Math.max(state.streamTime, frame.captureTs());
        close(camera, state, state.streamTime - settings.grace().toMillis());
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
    private void close(String camera, CameraStatsState state, long upTo) {
        for (Iterator<Map.Entry<Long, CameraWindow>> it = state.open.entrySet().iterator(); it.hasNext();) {
            CameraWindow w = it.next().getValue();
            if (w.end > upTo) {
                break;
            }
            it.remove();
            publish(camera, state, w);
        }
    }

    private void publish(String camera, CameraStatsState state, CameraWindow w) {
        CameraStatsRecord out = w.toRecord(camera, state.line != null, state.late);
        state.late = 0;
        state.closedBefore = Math.max(state.closedBefore, w.end);
        try {
            context.forward(new Record<>(camera, Json.MAPPER.writeValueAsBytes(out), w.end));
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
            close(kv.key, kv.value, Long.MAX_VALUE);
            store.put(kv.key, kv.value);
        }
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
