package lookout.labels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import lookout.common.Names;

/**
 * The labelled data set as the compacted {@code lookout.labels} topic describes it: the latest
 * valid value per sample id. A tombstone deletes; an invalid value also removes the id (compaction
 * would drop the older value too) and is remembered with its reason. Thread-safe.
 */
public final class LabelSet {
    private static final Logger LOG = Logger.getLogger(LabelSet.class);

    private final LabelCodec codec;
    private final Map<String, LabelSample> samples = new TreeMap<>();
    /** Where each sample's current record sits: {partition, offset}. */
    private final Map<String, long[]> positions = new HashMap<>();
    private final Map<Integer, Long> watermark = new TreeMap<>();
    /** Most rejected ids remembered (the latest): a flood of bad records must not grow memory without bound. */
    static final int MAX_REJECTED = 1000;
    private final Map<String, String> rejected = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_REJECTED;
        }
    };

    public LabelSet(LabelCodec codec) {
        this.codec = codec;
    }

    /** Applies one record of the labels topic; a null value is a tombstone. */
    public synchronized void apply(String key, byte[] value) {
        apply(key, value, -1, -1);
    }

    /**
     * Applies one record read at a position of the labels topic, so the set knows which samples
     * arrived after a given point (see {@link #watermark()} and {@link #newSince}).
     */
    public synchronized void apply(String key, byte[] value, int partition, long offset) {
        if (partition >= 0) {
            watermark.merge(partition, offset, Math::max);
        }
        applyRecord(key, value);
        if (key != null && partition >= 0 && samples.containsKey(key)) {
            positions.put(key, new long[] {partition, offset});
        } else if (key != null) {
            positions.remove(key);
        }
    }

    private void applyRecord(String key, byte[] value) {
        if (key == null) {
            rejected.put("<null key>", LabelRejectedException.Reason.MISSING_KEY.code());
            return;
        }
        if (value == null) {
            samples.remove(key);
            rejected.remove(key);
            return;
        }
        String why;
        try {
            samples.put(key, codec.parse(key, value));
            rejected.remove(key);
            return;
        } catch (LabelRejectedException e) {
            why = e.getMessage();
        } catch (RuntimeException e) {
            // the codec refuses bad input with a reason; anything else a crafted record provokes is still bad input
            why = LabelRejectedException.Reason.MALFORMED_JSON.code() + ": " + Names.clip(e.toString(), 300);
        }
        samples.remove(key);
        String id = Names.clip(key, 200);
        rejected.remove(id);
        rejected.put(id, why);
        LOG.warnf("label %s rejected: %s", id, why);
    }

    /** Per partition of the labels topic, the highest offset applied so far. */
    public synchronized Map<Integer, Long> watermark() {
        return Map.copyOf(watermark);
    }

    /**
     * How many valid samples of a camera were written after the watermark (added or replaced
     * since then); samples applied without a position count as new.
     */
    public synchronized int newSince(String camera, Map<Integer, Long> since) {
        return newSince(camera, since, false);
    }

    /** As {@link #newSince(String, Map)}, counting only labels answered on the review page when {@code reviewedOnly}. */
    public synchronized int newSince(String camera, Map<Integer, Long> since, boolean reviewedOnly) {
        int n = 0;
        for (LabelSample s : samples.values()) {
            if (camera != null && !camera.equals(s.camera()) || reviewedOnly && !s.reviewed()) {
                continue;
            }
            long[] at = positions.get(s.id());
            if (at == null || at[1] > since.getOrDefault((int) at[0], -1L)) {
                n++;
            }
        }
        return n;
    }

    /** The cameras that have valid samples. */
    public synchronized Set<String> cameras() {
        Set<String> out = new TreeSet<>();
        samples.values().forEach(s -> {
            if (s.camera() != null) {
                out.add(s.camera());
            }
        });
        return out;
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
