package lookout.track;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import lookout.config.TrackerSettings;
import lookout.detections.Detection;

/**
 * Runs a {@link ByteTracker} over a sequence's detections and scores its output with {@link ClearMot}.
 * Pure: no files, no model, so the same core serves fixed detection files and, later, a live model.
 */
public final class TrackEvaluation {
    private TrackEvaluation() {
    }

    /**
     * Every frame from the first to the last one either side mentions goes through the tracker, with
     * no detections where none are listed (tracks age across empty frames). Only detections on
     * confirmed tracks are output, each with its own box.
     */
    public static MotScore run(Map<Integer, List<IdBox>> gtFrames, Map<Integer, List<Detection>> detFrames,
            TrackerSettings settings) {
        return run(gtFrames, detFrames, null, settings);
    }

    /** As above, with each detection's colour descriptor ({@code looks}: per frame, in detection order; may be null). */
    public static MotScore run(Map<Integer, List<IdBox>> gtFrames, Map<Integer, List<Detection>> detFrames,
            Map<Integer, List<float[]>> looks, TrackerSettings settings) {
        return ClearMot.score(gtFrames, track(gtFrames, detFrames, looks, settings));
    }

    public static Map<Integer, List<IdBox>> track(Map<Integer, List<IdBox>> gtFrames,
            Map<Integer, List<Detection>> detFrames, TrackerSettings settings) {
        return track(gtFrames, detFrames, null, settings);
    }

    /**
     * The tracker's output per frame: the detections on confirmed tracks, each with its own box.
     */
    public static Map<Integer, List<IdBox>> track(Map<Integer, List<IdBox>> gtFrames,
            Map<Integer, List<Detection>> detFrames, Map<Integer, List<float[]>> looks, TrackerSettings settings) {
        Map<Integer, List<IdBox>> out = new TreeMap<>();
        TreeSet<Integer> frames = new TreeSet<>(gtFrames.keySet());
        frames.addAll(detFrames.keySet());
        if (frames.isEmpty()) {
            return out;
        }
        ByteTracker tracker = new ByteTracker(settings);
        for (int frame = frames.first(); frame <= frames.last(); frame++) {
            List<IdBox> tracked = new ArrayList<>();
            List<Detection> dets = detFrames.getOrDefault(frame, List.of());
            List<float[]> look = looks == null ? null : looks.get(frame);
            for (TrackedDetection t : tracker.update(dets, look != null && look.size() == dets.size() ? look : null, frame)) {
                if (t.tracked()) {
                    Detection d = t.detection();
                    tracked.add(new IdBox(t.trackId(), new Rect(d.x1(), d.y1(), d.x2(), d.y2())));
                }
            }
            out.put(frame, tracked);
        }
        return out;
    }

    /** Only the detections scoring at least {@code minScore}: what a service publishing above a threshold would pass on. */
    public static Map<Integer, List<Detection>> atLeast(Map<Integer, List<Detection>> detFrames, double minScore) {
        Map<Integer, List<Detection>> out = new TreeMap<>();
        detFrames.forEach((frame, dets) -> out.put(frame, dets.stream().filter(d -> d.score() >= minScore).toList()));
        return out;
    }

    /** The descriptors that go with {@link #atLeast}: the same detections kept, in the same order. */
    public static Map<Integer, List<float[]>> looksAtLeast(Map<Integer, List<Detection>> detFrames,
            Map<Integer, List<float[]>> looks, double minScore) {
        if (looks == null) {
            return null;
        }
        Map<Integer, List<float[]>> out = new TreeMap<>();
        detFrames.forEach((frame, dets) -> {
            List<float[]> all = looks.get(frame);
            List<float[]> kept = new ArrayList<>();
            for (int i = 0; i < dets.size(); i++) {
                if (dets.get(i).score() >= minScore) {
                    kept.add(all == null ? null : all.get(i));
                }
            }
            out.put(frame, kept);
        });
        return out;
    }
}
