package lookout.live;

import java.io.IOException;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.detections.DetectionRecord;
import lookout.frames.FramesTopic;
import lookout.frames.InvalidFrameException;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;

/**
 * Reads what the live page shows, as any consumer would: {@code lookout.frames} (for thumbnails) and
 * {@code lookout.detections} (read_committed), every partition, from their end, with no consumer
 * group. So any replica's page shows every camera, whichever replica analyses it; the price is that
 * each replica with the page on reads every frame (see lookout.live.enabled).
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);

    private final TopicFollower follower;
    private final LiveHub hub;
    private volatile boolean closed;

    LiveFeed(KafkaClients clients, LiveHub hub) {
        this.hub = hub;
        this.follower = new TopicFollower(clients, "lookout-live", List.of(), List.of(Topics.FRAMES, Topics.DETECTIONS),
                (records, caughtUp) -> handle(records));
    }

    LiveFeed start() {
        follower.start();
        return this;
    }

    private void handle(List<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null || r.value() == null) {
                continue;
            }
            if (r.topic().equals(Topics.FRAMES)) {
                frame(r);
            } else {
                detections(r);
            }
        }
        hub.tick();
    }

    private void frame(ConsumerRecord<String, byte[]> r) {
        Long seq;
        try {
            seq = FramesTopic.seq(r.headers());
        } catch (InvalidFrameException e) {
            return; // dead-lettered by the detector: nothing to show
        }
        hub.frame(r.key(), seq != null ? seq : r.offset(), r.value());
    }

    private void detections(ConsumerRecord<String, byte[]> r) {
        try {
            hub.detections(Json.MAPPER.readValue(r.value(), DetectionRecord.class));
        } catch (IOException e) {
            LOG.debugf("not a detections record at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /** True once the feed has its partitions (and polled them once), until it stops. */
    boolean following() {
        return follower.caughtUp() && follower.alive();
    }

    /** False once the feed's thread has stopped (an error it could not recover from, or closing). */
    boolean alive() {
        return follower.alive() || closed;
    }

    @Override
    public void close() {
        closed = true;
        follower.close();
    }
}
