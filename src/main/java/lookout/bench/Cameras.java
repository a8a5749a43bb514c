package lookout.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import lookout.kafka.Topics;

/**
 * Cameras sending the bench frames at fixed rates, each frame stamped with its capture time
 * ({@code lookout.ts} = when it is sent) and a sequence number, as the camera bridge does.
 */
final class Cameras {
    private final Producer<String, byte[]> producer;
    private final List<byte[]> frames;

    Cameras(Producer<String, byte[]> producer, List<byte[]> frames) {
        this.producer = producer;
        this.frames = frames;
    }

    /** Sends for {@code seconds}, camera id -> frames per second, paced on 5 ms ticks; returns frames sent per camera. */
    Map<String, Long> send(Map<String, Double> fps, double seconds) throws InterruptedException {
        Map<String, Long> sent = new HashMap<>();
        fps.keySet().forEach(c -> sent.put(c, 0L));
        long start = System.nanoTime();
        long ticks = (long) (seconds * 200);
        for (long tick = 1; tick <= ticks; tick++) {
            for (Map.Entry<String, Double> e : fps.entrySet()) {
                long due = (long) (tick * e.getValue() / 200);
                while (sent.get(e.getKey()) < due) {
                    long seq = sent.merge(e.getKey(), 1L, Long::sum);
                    producer.send(frame(e.getKey(), seq, frames.get((int) (seq % frames.size()))));
                }
            }
            long sleep = start + TimeUnit.MILLISECONDS.toNanos(5 * tick) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
        producer.flush();
        return sent;
    }

    static ProducerRecord<String, byte[]> frame(String camera, long seq, byte[] jpeg) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, camera, jpeg);
        r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        return r;
    }
}
