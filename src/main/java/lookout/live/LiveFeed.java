package lookout.live;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.detections.DetectionRecord;
import lookout.frames.FramesTopic;
import lookout.frames.InvalidFrameException;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;

/**
 * Reads what the live page shows, as any consumer would: {@code lookout.frames} (for thumbnails) and
 * {@code lookout.detections} (read_committed), every partition, from their end, with no consumer
 * group. So any replica's page shows every camera, whichever replica analyses it; the price is that
 * each replica with the page on reads every frame (see lookout.live.enabled).
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final LiveHub hub;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean following;

    LiveFeed(KafkaClients clients, LiveHub hub) {
        this.consumer = clients.consumer(null, "lookout-live");
        this.hub = hub;
        this.thread = new Thread(this::loop, "lookout-live");
        this.thread.setDaemon(true);
    }

    LiveFeed start() {
        thread.start();
        return this;
    }

    private void loop() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.FRAMES, Topics.DETECTIONS)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(60))
                        .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            following = true;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
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
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "the live page stopped following %s and %s", Topics.FRAMES, Topics.DETECTIONS);
        } finally {
            consumer.close();
        }
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

    /** True once the feed has its partitions, until it stops. */
    boolean following() {
        return following && thread.isAlive();
    }

    /** False once the feed's thread has stopped (an error it could not recover from, or closing). */
    boolean alive() {
        return thread.isAlive() || !running;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
