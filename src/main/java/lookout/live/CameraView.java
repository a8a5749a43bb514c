package lookout.live;

import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;

/**
 * What the live page knows of one camera (its recent frames are in the hub's {@link FrameBuffer}):
 * when its records arrived (frames per second), when it was last pushed (rate limit), the last
 * update and the last one with a picture, and people in view over the last hour in fixed steps.
 * Written by the feed thread, read by HTTP threads: every method is synchronized.
 */
final class CameraView {
    private static final long FPS_WINDOW_MS = 5_000;

    final String camera;
    private final long stepMs;
    private final Deque<Long> arrivals = new ArrayDeque<>();
    private final long[] bucket;
    private final double[] sum;
    private final int[] count;
    private final int[] max;
    private long lastPushMs = Long.MIN_VALUE;
    private long records;
    private ObjectNode latest;
    private ObjectNode latestPicture;

    CameraView(String camera, long stepMs, int points) {
        this.camera = camera;
        this.stepMs = stepMs;
        this.bucket = new long[points];
        this.sum = new double[points];
        this.count = new int[points];
        this.max = new int[points];
        java.util.Arrays.fill(bucket, -1);
    }

    /** Notes a detections record's arrival (and, when analysed, its people count); returns the camera's fps. */
    synchronized double arrived(long nowMs, Integer people) {
        records++;
        arrivals.addLast(nowMs);
        while (!arrivals.isEmpty() && arrivals.peekFirst() < nowMs - FPS_WINDOW_MS) {
            arrivals.removeFirst();
        }
        if (people != null) {
            long k = nowMs / stepMs;
            int i = (int) (k % bucket.length);
            if (bucket[i] != k) {
                bucket[i] = k;
                sum[i] = 0;
                count[i] = 0;
                max[i] = 0;
            }
            sum[i] += people;
            count[i]++;
            max[i] = Math.max(max[i], people);
        }
        return fps(nowMs);
    }

    private double fps(long nowMs) {
        if (arrivals.size() < 2) {
            return arrivals.size();
        }
        double span = Math.max(1, nowMs - arrivals.peekFirst());
        return Math.round((arrivals.size() - 1) * 10_000.0 / span) / 10.0;
    }

    /** True (and the push is counted) when the last push is at least {@code intervalMs} ago. */
    synchronized boolean mayPush(long nowMs, long intervalMs) {
        if (lastPushMs != Long.MIN_VALUE && nowMs - lastPushMs < intervalMs) {
            return false;
        }
        lastPushMs = nowMs;
        return true;
    }

    synchronized void pushed(ObjectNode update) {
        latest = update;
        if (update.has("thumb")) {
            latestPicture = update;
        }
    }

    synchronized long records() {
        return records;
    }

    /** The step's mean and max people, or null when no analysed frame fell in it. */
    synchronized ObjectNode point(long step) {
        int i = (int) (step % bucket.length);
        if (bucket[i] != step || count[i] == 0) {
            return null;
        }
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("mean", Math.round(100.0 * sum[i] / count[i]) / 100.0);
        p.put("max", max[i]);
        return p;
    }

    /** For a page that has just opened: the last update, the last picture, and the history up to {@code nowStep}. */
    synchronized ObjectNode state(long nowStep) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("camera", camera);
        s.put("records", records);
        s.set("latest", latest);
        s.set("picture", latestPicture);
        ObjectNode history = s.putObject("history");
        long first = nowStep - bucket.length + 1;
        history.put("start", first * stepMs);
        history.put("step", stepMs);
        ArrayNode mean = history.putArray("mean");
        ArrayNode peak = history.putArray("max");
        for (long k = first; k <= nowStep; k++) {
            int i = (int) (k % bucket.length);
            if (k >= 0 && bucket[i] == k && count[i] > 0) {
                mean.add(Math.round(100.0 * sum[i] / count[i]) / 100.0);
                peak.add(max[i]);
            } else {
                mean.addNull();
                peak.addNull();
            }
        }
        return s;
    }
}
