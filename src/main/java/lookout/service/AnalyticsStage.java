package lookout.service;

import java.time.Duration;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

import lookout.config.ReviewSettings;
import lookout.config.StatsSettings;
import lookout.config.TrackerSettings;
import lookout.detect.DetectionTopology;
import lookout.kafka.Topics;
import lookout.review.ReviewMetrics;
import lookout.review.ReviewPickProcessor;
import lookout.stats.CameraMetrics;
import lookout.stats.CameraStatsProcessor;
import lookout.stats.CountingLines;
import lookout.tiles.TilePlanner;
import lookout.track.TrackingProcessor;

/**
 * What the operator's view adds after detection, in the same sub-topology (one camera's frames stay
 * on one task, so its tracker and statistics state sit beside the frames that change them): the
 * tracker, whose output (records with track ids) is what {@code lookout.detections} publishes, and
 * the per-camera statistics fed by it, published to {@code lookout.camera-stats}, and, with
 * {@code lookout.review.enabled}, the review picker fed by it too (it reads track ids), publishing to
 * {@code lookout.review}.
 */
final class AnalyticsStage implements DetectionTopology.Stage {
    static final String TRACK = "track";
    static final String STATS = "camera-stats";
    static final String STATS_SINK = "camera-stats-sink";

    private final TrackerSettings tracker;
    private final CameraStatsProcessor.Settings stats;
    private final CountingLines lines;
    private final CameraMetrics metrics;
    private final TilePlanner tiles;
    private Review review;

    /** The picker's settings, the detector's threshold and the largest record its producer sends. */
    private record Review(ReviewSettings settings, float threshold, int maxRecordBytes, ReviewMetrics metrics) {
    }

    AnalyticsStage(TrackerSettings tracker, StatsSettings stats, Duration clockMaxSkew, CountingLines lines,
            CameraMetrics metrics) {
        this(tracker, stats, clockMaxSkew, lines, metrics, null);
    }

    /**
     * {@code clockMaxSkew}: the detector's clock bound ({@code lookout.clock.max-skew}), which also bounds the windows;
     * {@code tiles} (may be null) learns each camera's people's sizes from its tracks.
     */
    AnalyticsStage(TrackerSettings tracker, StatsSettings stats, Duration clockMaxSkew, CountingLines lines,
            CameraMetrics metrics, TilePlanner tiles) {
        this.tracker = tracker;
        this.tiles = tiles;
        // positions of tracks the tracker has ended are forgotten one frame after it forgets them
        this.stats = new CameraStatsProcessor.Settings(stats.window(), stats.grace(), stats.flushInterval(),
                stats.lineMargin(), tracker.maxMissedFrames() + 1, clockMaxSkew);
        this.lines = lines;
        this.metrics = metrics;
    }

    /** Adds the review picker after the tracker (when the settings are enabled). */
    AnalyticsStage withReview(ReviewSettings settings, float threshold, int maxRecordBytes, ReviewMetrics metrics) {
        this.review = settings.enabled() ? new Review(settings, threshold, maxRecordBytes, metrics) : null;
        return this;
    }

    @Override
    public java.util.List<String> topics() {
        return review != null ? java.util.List.of(Topics.REVIEW) : java.util.List.of();
    }

    @Override
    public boolean needsPictures() {
        return review != null;
    }

    @Override
    public String entry() {
        return TRACK;
    }

    @Override
    public String addTo(Topology topology, String parent) {
        topology.addProcessor(TRACK, () -> new TrackingProcessor(tracker, tiles), parent);
        topology.addStateStore(TrackingProcessor.storeBuilder(), TRACK);
        topology.addProcessor(STATS, () -> new CameraStatsProcessor(stats, lines, metrics), TRACK);
        topology.addStateStore(CameraStatsProcessor.storeBuilder(), STATS);
        topology.addSink(STATS_SINK, Topics.CAMERA_STATS, new StringSerializer(), new ByteArraySerializer(), STATS);
        if (review != null) {
            ReviewPickProcessor.addTo(topology, TRACK, review.settings(), review.threshold(), review.maxRecordBytes(),
                    review.metrics());
        }
        return TRACK;
    }
}
