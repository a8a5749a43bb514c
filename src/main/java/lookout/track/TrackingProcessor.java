package lookout.track;

import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import lookout.detect.Detection;

/**
 * The tracker as a Kafka Streams processor after detection: records keyed by camera id, one per
 * analysed frame; each camera's {@link TrackerState} lives in the {@link #STORE} key-value store
 * (changelogged), read and written back on every frame. Under exactly_once_v2 the store update,
 * the forwarded record and the input offset commit are one transaction, so after a crash or a
 * rebalance the restored state is the one after the last committed frame and replayed frames get
 * the same ids. Not wired into the detector topology yet: a mapping from the detections record to
 * {@link Frame} goes in front of it when it is.
 */
public final class TrackingProcessor implements Processor<String, TrackingProcessor.Frame, String, TrackingProcessor.TrackedFrame> {
    public static final String STORE = "lookout-tracker-state";
    static final String UNKNOWN_CAMERA = "unknown";

    /** One camera frame's detections; {@code seq} is the camera's frame sequence number. */
    public record Frame(long seq, List<Detection> detections) {
    }

    /** The same frame with a track id on every detection ({@link TrackedDetection#NO_TRACK} if none). */
    public record TrackedFrame(long seq, List<TrackedDetection> detections) {
    }

    private final TrackerSettings settings;
    private ProcessorContext<String, TrackedFrame> context;
    private KeyValueStore<String, TrackerState> store;

    public TrackingProcessor(TrackerSettings settings) {
        this.settings = settings;
    }

    /** The camera id → tracker state store, persistent and changelogged (the changelog is what survives). */
    public static StoreBuilder<KeyValueStore<String, TrackerState>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), new TrackerStateSerde());
    }

    @Override
    public void init(ProcessorContext<String, TrackedFrame> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Frame> record) {
        if (record.value() == null) {
            return; // a tombstone carries no frame
        }
        String camera = record.key() == null ? UNKNOWN_CAMERA : record.key();
        TrackerState state = store.get(camera);
        ByteTracker tracker = new ByteTracker(settings, state == null ? TrackerState.initial() : state);
        List<TrackedDetection> tracked = tracker.update(record.value().detections(), record.value().seq());
        store.put(camera, tracker.state());
        context.forward(record.withKey(camera).withValue(new TrackedFrame(record.value().seq(), tracked)));
    }
}
