package lookout.live;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import lookout.common.CameraTags;
import lookout.common.Json;
import lookout.common.Redact;
import lookout.config.FrameLimits;
import lookout.config.LiveSettings;
import lookout.detections.DetectionRecord;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;

/**
 * The live page's server side: every frame and detections record the feed reads comes here; at
 * most {@code lookout.live.max-rate} times a second per camera an update (the record's boxes and
 * numbers, with a thumbnail of that very frame when it is still buffered) is broadcast to every
 * open page as one JSON string, serialised once whatever the number of pages. Each page has a
 * bounded queue for bursts (a poll of the feed brings many records at once); a page so slow that it
 * fills up is disconnected rather than let memory grow, and its browser reconnects (EventSource
 * does) and carries on from the newest updates. Every history step a {@code history} event carries
 * each camera's people-in-view point.
 *
 * <p>Frames are personal data and anyone who may write {@code lookout.frames} can send them, so what
 * the hub holds is bounded in bytes, not in frames: only frames that pass the detector's frame
 * checks are kept, in a {@link FrameBuffer} capped per camera and in total
 * ({@code lookout.live.frame-buffer-bytes}, {@code frame-buffer-total-bytes}); a frame that fails
 * them creates no camera tile either.
 */
public final class LiveHub implements AutoCloseable {
    private final LiveSettings settings;
    private final LongSupplier clock;
    private final Function<String, double[]> lines;
    private final Thumbnailer thumbnailer;
    private final FrameDecoder decoder;
    private final FrameBuffer buffer;
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, CameraView> cameras = new ConcurrentSkipListMap<>();
    private final BroadcastProcessor<String> updates = BroadcastProcessor.create();
    private final AtomicLong pushed = new AtomicLong();
    /** Updates a page may have waiting: ten seconds of 50 cameras at 2 updates/s. */
    static final int PAGE_QUEUE = 1000;

    private final AtomicLong cutOff = new AtomicLong();
    private long lastStep;

    /**
     * @param limits the detector's frame limits ({@code lookout.frame.*}): frames beyond them are not kept
     * @param lines  each camera's counting line (x1, y1, x2, y2 in fractions of the frame), or null: drawn on the page
     */
    public LiveHub(LiveSettings settings, FrameLimits limits, LongSupplier clock, Function<String, double[]> lines) {
        this.settings = settings;
        this.clock = clock;
        this.lines = lines;
        this.decoder = new FrameDecoder(limits);
        this.buffer = new FrameBuffer(settings.frameBuffer(), settings.frameBufferBytes(), settings.frameBufferTotal());
        this.thumbnailer = new Thumbnailer(decoder, settings.thumbnailWidth(), settings.thumbnailQuality());
        this.lastStep = clock.getAsLong() / stepMs();
    }

    private long stepMs() {
        return settings.historyStep().toMillis();
    }

    /**
     * The camera's view, or null beyond the first {@link CameraTags#MAX} cameras (bounded like the
     * meters' camera tags: a producer inventing a key per frame cannot grow the page's memory).
     */
    private CameraView view(String camera) {
        CameraView view = cameras.get(camera);
        if (view != null || cameras.size() >= CameraTags.MAX) {
            return view;
        }
        return cameras.computeIfAbsent(camera, c -> new CameraView(Redact.text(c), stepMs(), settings.historyPoints()));
    }

    /**
     * A frame as it was published to lookout.frames (called by the feed thread): kept for its
     * thumbnail only if it passes the detector's checks, within the buffer's byte caps.
     */
    public void frame(String camera, long seq, byte[] encoded) {
        try {
            decoder.check(encoded);
        } catch (InvalidFrameException | RuntimeException e) {
            refused.incrementAndGet(); // the detector dead-letters it: nothing to show, nothing to keep
            return;
        }
        if (view(camera) != null) {
            buffer.add(camera, seq, encoded);
        }
    }

    /** Bytes of frames held for thumbnails now (never above {@code lookout.live.frame-buffer-total-bytes}). */
    public long bufferedBytes() {
        return buffer.bytes();
    }

    /** Frames held for thumbnails now. */
    public int bufferedFrames() {
        return buffer.frames();
    }

    /** Frames not kept: failed the frame checks, or larger than a camera's share of the buffer. */
    public long refusedFrames() {
        return refused.get() + buffer.refused();
    }

    /** A record of lookout.detections (called by the feed thread). */
    public void detections(DetectionRecord r) {
        long now = clock.getAsLong();
        CameraView view = view(r.camera());
        if (view == null) {
            return;
        }
        List<DetectionRecord.Item> items = r.detections() == null ? List.of() : r.detections();
        double fps = view.arrived(now, r.analysed() ? items.size() : null);
        // A superseded frame has no boxes and a newer frame of the camera is about to be analysed:
        // showing it would blank the picture between analysed frames whenever the camera outpaces the model.
        if (DetectionRecord.SUPERSEDED.equals(r.reason())
                || !view.mayPush(now, (long) (1000 / settings.maxRate()))) {
            return;
        }
        ObjectNode u = Json.MAPPER.createObjectNode();
        u.put("type", "frame");
        u.put("camera", view.camera); // the id as the page shows it: redacted, should it hold a credential
        u.put("seq", r.seq());
        u.put("captureTs", r.captureTs());
        u.put("sentAt", now);
        u.put("status", r.status());
        if (r.reason() != null) {
            u.put("reason", r.reason());
        }
        u.put("width", r.width());
        u.put("height", r.height());
        if (r.model() != null) {
            u.put("model", r.model().name() + " v" + r.model().version());
        }
        if (r.analysed()) {
            u.put("people", items.size());
        }
        u.put("fps", fps);
        if (r.timings() != null) {
            u.put("latencyMs", r.timings().endToEndMs());
        }
        ArrayNode boxes = u.putArray("detections");
        for (DetectionRecord.Item item : items) {
            ObjectNode d = boxes.addObject();
            ArrayNode box = d.putArray("box");
            for (float v : item.box()) {
                box.add(Math.round(v * 10) / 10.0);
            }
            d.put("score", Math.round(item.score() * 1000) / 1000.0);
            if (item.trackId() != null) {
                d.put("trackId", item.trackId());
            }
        }
        double[] line = lines.apply(r.camera());
        if (line != null) {
            ArrayNode l = u.putArray("line");
            for (double v : line) {
                l.add(v);
            }
        }
        byte[] frame = buffer.get(r.camera(), r.seq());
        byte[] thumb = frame == null ? null : thumbnailer.thumbnail(frame);
        if (thumb != null) {
            u.put("thumb", "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(thumb));
        }
        view.pushed(u);
        broadcast(u);
    }

    /** Called after every poll of the feed: when a history step has ended, sends its point of every camera. */
    public void tick() {
        long step = clock.getAsLong() / stepMs();
        if (step == lastStep) {
            return;
        }
        long ended = step - 1;
        lastStep = step;
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", "history");
        e.put("t", ended * stepMs());
        e.put("step", stepMs());
        ObjectNode points = e.putObject("points");
        cameras.forEach((camera, view) -> points.set(view.camera, view.point(ended)));
        broadcast(e);
    }

    private void broadcast(ObjectNode event) {
        try {
            updates.onNext(Json.MAPPER.writeValueAsString(event));
            pushed.incrementAndGet();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a live update", e);
        }
    }

    /** The live updates for one page; a page more than {@link #PAGE_QUEUE} updates behind is disconnected. */
    public Multi<String> updates() {
        return updates.onOverflow().buffer(PAGE_QUEUE)
                .onFailure().invoke(e -> cutOff.incrementAndGet())
                .onFailure().recoverWithCompletion();
    }

    /** Everything a page that has just opened needs: each camera's last update and picture, and its history. */
    public String state() {
        ObjectNode s = Json.MAPPER.createObjectNode();
        long now = clock.getAsLong();
        s.put("now", now);
        s.put("maxRate", settings.maxRate());
        s.put("pushed", pushed.get());
        s.put("pagesCutOff", cutOff.get());
        ArrayNode list = s.putArray("cameras");
        long step = now / stepMs();
        for (CameraView view : new ArrayList<>(cameras.values())) {
            list.add(view.state(step));
        }
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the live state", e);
        }
    }

    @Override
    public void close() {
        updates.onComplete();
        thumbnailer.close();
    }
}
