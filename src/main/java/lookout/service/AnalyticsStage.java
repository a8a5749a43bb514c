package lookout.service;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

import lookout.config.StatsSettings;
import lookout.config.TrackerSettings;
import lookout.detect.DetectionTopology;
import lookout.detect.TilePlanner;
import lookout.kafka.Topics;
import lookout.stats.CameraMetrics;
import lookout.stats.CameraStatsProcessor;
import lookout.stats.CountingLines;
import lookout.track.TrackingProcessor;

/**
 * What the operator's view adds after detection, in the same sub-topology (one camera's frames stay
 * on one task, so its tracker and statistics state sit beside the frames that change them): the
 * tracker, whose output (records with track ids) is what {@code lookout.detections} publishes, and
 * the per-camera statistics fed by it, published to {@code lookout.camera-stats}.
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

    AnalyticsStage(TrackerSettings tracker, StatsSettings stats, CountingLines lines, CameraMetrics metrics) {
        this(tracker, stats, lines, metrics, null);
    }

    /** {@code tiles} (may be null) learns each camera's people's sizes from its tracks. */
    AnalyticsStage(TrackerSettings tracker, StatsSettings stats, CountingLines lines, CameraMetrics metrics,
            TilePlanner tiles) {
        this.tracker = tracker;
        this.tiles = tiles;
        // positions of tracks the tracker has ended are forgotten one frame after it forgets them
        this.stats = new CameraStatsProcessor.Settings(stats.window(), stats.grace(), stats.flushInterval(),
                stats.lineMargin(), tracker.maxMissedFrames() + 1);
        this.lines = lines;
        this.metrics = metrics;
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
        return TRACK;
    }
}
