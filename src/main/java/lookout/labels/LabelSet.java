package lookout.labels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jboss.logging.Logger;

/**
 * The labelled data set as the compacted {@code lookout.labels} topic describes it: the latest
 * valid value per sample id. A tombstone deletes; an invalid value also removes the id (compaction
 * would drop the older value too) and is remembered with its reason. Thread-safe.
 */
public final class LabelSet {
    private static final Logger LOG = Logger.getLogger(LabelSet.class);

    private final LabelCodec codec;
    private final Map<String, LabelSample> samples = new TreeMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();

    public LabelSet(LabelCodec codec) {
        this.codec = codec;
    }

    /** Applies one record of the labels topic; a null value is a tombstone. */
    public synchronized void apply(String key, byte[] value) {
        if (key == null) {
            rejected.put("<null key>", LabelRejectedException.Reason.MISSING_KEY.code());
            return;
        }
        if (value == null) {
            samples.remove(key);
            rejected.remove(key);
            return;
        }
        try {
            samples.put(key, codec.parse(key, value));
            rejected.remove(key);
        } catch (LabelRejectedException e) {
            samples.remove(key);
            rejected.put(key, e.getMessage());
            LOG.warnf("label %s rejected: %s", key, e.getMessage());
        }
    }

    public synchronized int size() {
        return samples.size();
    }

    /** Valid samples, sorted by id. */
    public synchronized List<LabelSample> samples() {
        return List.copyOf(samples.values());
    }

    /** Valid samples of one camera (all samples when camera is null), sorted by id. */
    public synchronized List<LabelSample> samples(String camera) {
        List<LabelSample> out = new ArrayList<>();
        for (LabelSample s : samples.values()) {
            if (camera == null || camera.equals(s.camera())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Rejected sample ids and why. */
    public synchronized Map<String, String> rejected() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
    }
}
