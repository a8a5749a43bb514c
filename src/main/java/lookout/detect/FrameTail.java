package lookout.detect;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import lookout.frames.FramesTopic;
import lookout.frames.InvalidFrameException;
import lookout.kafka.Topics;

/**
 * Follows the end of the input partitions this replica's stream tasks own and tells
 * {@link FetchedFrames} which frames have landed, as they land. A stream thread's own consumer
 * fetches ahead only once per poll, and polls only between frames, so while a frame is analysed
 * the frames arriving meanwhile are unknown to it: without the tail the "newest" frame it picks
 * next is the first to arrive after its last poll, about one inference time old. With it, that
 * frame is superseded and the thread polls again for what is really the newest. It also hands each
 * frame to {@link Lookahead} (when there is one), so that an idle worker can start on it before
 * the stream thread gets there. Reads from the log end, read_committed, with its own consumer (no
 * group); the frames cross the network twice to a replica, which costs bandwidth, not inference.
 */
public final class FrameTail implements NewerFrames, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FrameTail.class);

    private final FetchedFrames frames;
    private final Lookahead lookahead;
    private final Consumer<byte[], byte[]> consumer;
    private final CaptureClock time;
    private final Set<Integer> wanted = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts following (nothing until a stream task starts); {@code consumer} is used by the tail's
     * thread only; {@code lookahead} may be null (frames are then only recorded as landed). Frames are
     * recorded at their service time ({@code time}), as the topology judges them.
     */
    public FrameTail(FetchedFrames frames, Lookahead lookahead, Consumer<byte[], byte[]> consumer, CaptureClock time) {
        this.frames = frames;
        this.lookahead = lookahead;
        this.consumer = consumer;
        this.time = time;
        this.thread = new Thread(this::loop, "frame-tail");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        Set<Integer> assigned = new HashSet<>();
        try {
            while (running) {
                Set<Integer> want = Set.copyOf(wanted);
                if (!want.equals(assigned)) {
                    List<TopicPartition> all = want.stream().map(p -> new TopicPartition(Topics.FRAMES, p)).toList();
                    consumer.assign(all);
                    consumer.seekToEnd(all.stream().filter(tp -> !assigned.contains(tp.partition())).toList());
                    assigned.clear();
                    assigned.addAll(want);
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(50);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    String camera = FramesTopic.camera(r.key());
                    long ts = time.place(captureTs(r), r.timestamp()).serviceTs();
                    frames.logged(r.partition(), camera, r.offset(), ts);
                    if (lookahead != null) {
                        lookahead.landed(r.partition(), camera, r.offset(), ts, r.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the stream threads still see what they fetch themselves: latency grows, nothing is lost
            LOG.warnf("frame tail stopped (newest frames are then only known once fetched): %s", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** As the topology reads it: the capture-time header, else the record timestamp (placed in time by the caller). */
    private static long captureTs(ConsumerRecord<byte[], byte[]> r) {
        try {
            Long ts = FramesTopic.captureTs(r.headers());
            return ts != null ? ts : r.timestamp();
        } catch (InvalidFrameException e) {
            return r.timestamp(); // the topology dead-letters it; it supersedes nothing useful either way
        }
    }

    @Override
    public boolean newerWaiting(int partition, String camera, long offset, long captureTs) {
        return frames.newerWaiting(partition, camera, offset, captureTs);
    }

    @Override
    public boolean otherCameraWaiting(int partition, String camera, long offset) {
        return frames.otherCameraWaiting(partition, camera, offset);
    }

    @Override
    public void analysed(int partition, String camera, long nanos) {
        frames.analysed(partition, camera, nanos);
    }

    @Override
    public void forget(int partition) {
        frames.forget(partition);
        if (lookahead != null) {
            lookahead.forget(partition);
        }
    }

    @Override
    public void following(int partition) {
        wanted.add(partition);
    }

    @Override
    public void leaving(int partition) {
        wanted.remove(partition);
        forget(partition);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
