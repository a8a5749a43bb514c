package lookout.track;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import lookout.config.TrackerSettings;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;
import lookout.kafka.Topics;
import lookout.tiles.TilePlanner;

/**
 * The tracker as a Kafka Streams processor right after detection: detections records keyed by
 * the frames' key bytes in (the state is kept per camera id, the record's {@code camera}); the same records out, each item of an analysed frame carrying the {@code trackId}
 * of its confirmed track. Each camera's {@link TrackerState} lives in the {@link #STORE} key-value
 * store (changelogged), read and written back on every analysed frame. Under exactly_once_v2 the
 * store update, the output record and the input offset commit are one transaction, so after a
 * crash or a rebalance the restored state is the one after the last committed frame and replayed
 * frames get the same ids.
 *
 * <p>A skipped frame (not looked at: superseded, stale, overload) passes through untouched and leaves the
 * state as it was: it is no evidence that anyone left. The next analysed frame predicts motion over
 * the gap in sequence numbers (see {@link ByteTracker#update}).
 */
public final class TrackingProcessor implements Processor<byte[], DetectionRecord, byte[], DetectionRecord> {
    public static final String STORE = "lookout-tracker-state";
    static final String UNKNOWN_CAMERA = "unknown";

    private final TrackerSettings settings;
    private final TilePlanner sizes;
    private ProcessorContext<byte[], DetectionRecord> context;
    private KeyValueStore<String, TrackerState> store;

    public TrackingProcessor(TrackerSettings settings) {
        this(settings, null);
    }

    /** As above, reporting the heights of the people on confirmed tracks to {@code sizes} (which cameras get tiles); may be null. */
    public TrackingProcessor(TrackerSettings settings, TilePlanner sizes) {
        this.settings = settings;
        this.sizes = sizes;
    }

    /**
     * The camera id → tracker state store, persistent and changelogged (the changelog is what
     * survives). The state is rewritten on every frame: short changelog segments let compaction keep
     * what a restore reads close to one record per camera.
     */
    public static StoreBuilder<KeyValueStore<String, TrackerState>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), new TrackerStateSerde())
                .withLoggingEnabled(Topics.perFrameChangelog());
    }

    @Override
    public void init(ProcessorContext<byte[], DetectionRecord> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], DetectionRecord> record) {
        DetectionRecord frame = record.value();
        if (frame == null || !frame.analysed()) {
            context.forward(record); // not looked at: no evidence either way, the tracker's state stays
            return;
        }
        // the camera id the record names (the key's reading); the key itself passes on byte for byte
        String camera = frame.camera() == null ? UNKNOWN_CAMERA : frame.camera();
        TrackerState state = store.get(camera);
        ByteTracker tracker = new ByteTracker(settings, state == null ? TrackerState.initial() : state);
        List<DetectionRecord.Item> items = frame.detections();
        List<Detection> dets = new ArrayList<>(items.size());
        List<float[]> looks = new ArrayList<>(items.size());
        for (DetectionRecord.Item item : items) {
            dets.add(item.detection());
            looks.add(item.appearance());
        }
        List<TrackedDetection> tracked = tracker.update(dets, looks, frame.seq());
        store.put(camera, tracker.state());
        List<DetectionRecord.Item> out = new ArrayList<>(items.size());
        float[] heights = new float[items.size()];
        int people = 0;
        for (int i = 0; i < items.size(); i++) {
            TrackedDetection t = tracked.get(i);
            out.add(t.tracked() ? items.get(i).withTrackId(t.trackId()) : items.get(i));
            if (t.tracked()) {
                heights[people++] = t.detection().y2() - t.detection().y1();
            }
        }
        if (sizes != null && people > 0) {
            sizes.observe(camera, frame.width(), frame.height(), java.util.Arrays.copyOf(heights, people));
        }
        context.forward(record.withValue(frame.withDetections(out)));
    }
}
