package lookout.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import lookout.config.FrameLimits;
import lookout.config.LiveSettings;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/**
 * The live page's feed on a real broker, flooded by cameras sending the largest frames: junk that
 * fails the frame checks and frames that pass them. Sampled every few milliseconds while the feed
 * reads, the bytes it holds never exceed the configured cap.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveBufferIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static final long PER_CAMERA = 16L << 20;
    private static final long TOTAL = 24L << 20;
    private static final int CAMERAS = 30;

    @Test
    void shouldNeverHoldMoreThanTheCapWhileCamerasFloodTheFramesTopic() throws Exception {
        TopicAdmin.ensure(broker.kafka(), Topics.DETECTOR);
        KafkaClients clients = broker.clients();
        FrameLimits limits = TestSettings.config().frameLimits();
        byte[] jpeg = TestFrames.jpeg(64, 48);
        byte[] passing = Arrays.copyOf(Arrays.copyOf(jpeg, jpeg.length - 2), limits.maxBytes());
        passing[passing.length - 2] = (byte) 0xFF;
        passing[passing.length - 1] = (byte) 0xD9;
        byte[] junk = TestFrames.randomBytes(limits.maxBytes(), 9);
        AtomicLong maxHeld = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        try (LiveHub hub = new LiveHub(new LiveSettings(true, 2, 320, 70, 16, Duration.ofMinutes(1), Duration.ofSeconds(10),
                PER_CAMERA, TOTAL), limits, System::currentTimeMillis, c -> null);
                LiveFeed feed = new LiveFeed(clients, hub).start()) {
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    maxHeld.accumulateAndGet(hub.bufferedBytes(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "it-sampler");
            sampler.start();
            Thread.sleep(3000); // the feed starts from the end of the topics: let it get there first
            try (KafkaProducer<String, byte[]> p = clients.producer("it-flood")) {
                for (int c = 0; c < CAMERAS; c++) {
                    RecordHeaders h = new RecordHeaders();
                    h.add(Topics.HEADER_SEQ, "1".getBytes(StandardCharsets.US_ASCII));
                    p.send(new ProducerRecord<>(Topics.FRAMES, null, "junk-" + c, junk, h)).get();
                    p.send(new ProducerRecord<>(Topics.FRAMES, null, "cam-" + c, passing, h)).get();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (hub.refusedFrames() < CAMERAS && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(1000);
            sampling.set(false);
            sampler.join();
            System.out.printf("live feed flooded by %d cameras x 2 frames of 8 MiB: held at most %d MiB (cap %d MiB), "
                    + "%d frames held, %d refused%n", CAMERAS, maxHeld.get() >> 20, TOTAL >> 20, hub.bufferedFrames(),
                    hub.refusedFrames());
            assertThat(hub.refusedFrames()).as("junk frames refused").isEqualTo(CAMERAS);
            assertThat(maxHeld.get()).isLessThanOrEqualTo(TOTAL).isGreaterThanOrEqualTo(TOTAL - (8L << 20));
            assertThat(hub.bufferedFrames()).isEqualTo((int) (TOTAL / passing.length));
        }
    }
}
