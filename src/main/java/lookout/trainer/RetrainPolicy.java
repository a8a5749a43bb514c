package lookout.trainer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.config.RetrainPolicySettings;
import lookout.events.Events;
import lookout.labels.LabelSet;

/**
 * When the trainer retrains a camera without being asked: after {@code newLabels} new labels of it
 * (added or replaced since its last run), after {@code newReviewedLabels} new labels of it answered on
 * the review page (a person looked at frames the picker chose: worth a run sooner than imported ones),
 * or once {@code interval} has passed since its last run and it has at least one new label. Off by default (both 0). A camera's last run is its latest
 * outcome event (published, rejected or failed) on {@code lookout.events}, which carries where the
 * labels stood when that run took its samples; the trainer replays those events at start, so a run
 * that died before its outcome is simply due again.
 */
public final class RetrainPolicy {
    private record LastRun(long ts, Map<Integer, Long> watermark) {
    }

    private final RetrainPolicySettings settings;
    private final long startedAt;
    private final Map<String, LastRun> lastRuns = new HashMap<>();

    /** @param startedAt when the trainer started: a camera never retrained counts its interval from here */
    public RetrainPolicy(RetrainPolicySettings settings, long startedAt) {
        this.settings = settings;
        this.startedAt = startedAt;
    }

    public RetrainPolicySettings settings() {
        return settings;
    }

    /** Takes note of an event; only outcome events of one camera's runs matter. */
    public synchronized void event(JsonNode e) {
        String type = e.path("type").asText();
        if (!type.equals(Events.PUBLISHED) && !type.equals(Events.REJECTED) && !type.equals(Events.FAILED)) {
            return;
        }
        JsonNode camera = e.get("camera");
        if (camera == null || !camera.isTextual()) {
            return;
        }
        Map<Integer, Long> watermark = new HashMap<>();
        JsonNode w = e.path("labelsWatermark");
        for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            try {
                watermark.put(Integer.parseInt(f.getKey()), f.getValue().asLong());
            } catch (NumberFormatException notAPartition) {
                // a hand-written event; the rest of it still counts
            }
        }
        long ts = e.path("ts").asLong(startedAt);
        LastRun previous = lastRuns.get(camera.asText());
        if (previous == null || previous.ts() <= ts) {
            lastRuns.put(camera.asText(), new LastRun(ts, watermark));
        }
    }

    /** The camera to retrain now, if any (one at a time: the next check finds the next). */
    public synchronized Optional<String> due(LabelSet labels, long now) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        for (String camera : labels.cameras()) {
            LastRun last = lastRuns.getOrDefault(camera, new LastRun(startedAt, Map.of()));
            int fresh = labels.newSince(camera, last.watermark());
            if (fresh == 0) {
                continue;
            }
            boolean enough = settings.newLabels() > 0 && fresh >= settings.newLabels()
                    || settings.newReviewedLabels() > 0
                            && labels.newSince(camera, last.watermark(), true) >= settings.newReviewedLabels();
            boolean time = !settings.interval().isZero() && now - last.ts() >= settings.interval().toMillis();
            if (enough || time) {
                return Optional.of(camera);
            }
        }
        return Optional.empty();
    }
}
