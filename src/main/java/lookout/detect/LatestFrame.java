package lookout.detect;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import lookout.detections.DetectionRecord;
import lookout.frames.FrameDecoder;
import lookout.inference.InferencePool;

/**
 * The newest frame of each camera (live cameras: latency first). A frame that a newer frame of its
 * camera overtakes is answered {@code skipped}/{@code superseded}: overtaken in what the stream
 * threads fetched ({@link FetchedFrames}, fed by {@link FetchedFramesInterceptor}) or in the log
 * ({@link FrameTail}), or by a newer frame an idle worker already started on ({@link Lookahead}, the
 * pool's work ahead). Each analysed answer is committed at once unless another camera's frame waits
 * on the same stream thread. The design and its measurements: docs/design.md, "Latency first".
 */
public final class LatestFrame implements SchedulingPolicy {
    private final FetchedFrames fetched;
    private final Lookahead lookahead;
    private final Supplier<Consumer<byte[], byte[]>> tailConsumer;
    private final CaptureClock time;
    /** Who says whether newer frames wait: the frame tail once started, else what was fetched alone. */
    private volatile NewerFrames newer;
    private volatile FrameTail tail;

    /** The service's policy: the frame tail reads with {@code tailConsumer}'s consumer from {@link #start}. */
    public LatestFrame(FrameDecoder decoder, java.util.function.Consumer<String> lookaheadWasted,
            Supplier<Consumer<byte[], byte[]>> tailConsumer, CaptureClock time) {
        this.fetched = new FetchedFrames();
        this.lookahead = new Lookahead(decoder, lookaheadWasted);
        this.tailConsumer = tailConsumer;
        this.time = time;
        this.newer = fetched;
    }

    /**
     * Without a frame tail: frames are overtaken by what {@code fetched} records and by what
     * {@code lookahead} started (for topology tests, which feed both by hand).
     */
    public LatestFrame(FetchedFrames fetched, Lookahead lookahead) {
        this.fetched = fetched;
        this.lookahead = lookahead;
        this.tailConsumer = null;
        this.time = null;
        this.newer = fetched;
    }

    /** What the stream threads' consumers fetched and the tail saw land (for the consumer interceptor). */
    FetchedFrames fetched() {
        return fetched;
    }

    @Override
    public Decision decide(int partition, String camera, long offset, long serviceTs) {
        if (offset < 0) {
            return ANALYSE; // no position in a partition: nothing can overtake it
        }
        Lookahead.Decision ahead = lookahead.decide(partition, camera, offset);
        if (ahead instanceof Lookahead.Overtaken
                || ahead instanceof Lookahead.Usual && newer.newerWaiting(partition, camera, offset, serviceTs)) {
            return new Skip(DetectionRecord.SUPERSEDED);
        }
        return ahead instanceof Lookahead.Started started ? new Started(started.result()) : ANALYSE;
    }

    @Override
    public void analysed(int partition, String camera, long nanos) {
        newer.analysed(partition, camera, nanos);
    }

    @Override
    public boolean commitAfterAnswer(int partition, String camera, long offset) {
        // Kafka Streams would otherwise commit on its interval, and a record can then wait in the open
        // transaction while this thread analyses the next frame (about one more inference on a
        // read_committed consumer's clock). Not when another camera's frame waits on this thread: it
        // would delay its turn.
        return !newer.otherCameraWaiting(partition, camera, offset);
    }

    @Override
    public void taskStarted(int partition) {
        newer.forget(partition);
        newer.following(partition);
    }

    @Override
    public void taskClosed(int partition) {
        newer.leaving(partition);
    }

    @Override
    public void configure(Map<String, Object> tuning, Map<String, Object> required) {
        // a stream thread polls again only once it has processed what it holds: what one poll returns
        // is how far ahead it sees, so let it see a whole fetch (a backlog collapses in few steps)
        tuning.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 500);
        tuning.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 4 * 1024 * 1024);
        // the main consumer tells the topology which frames are overtaken (FetchedFramesInterceptor)
        required.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                FetchedFramesInterceptor.class.getName());
        required.put(StreamsConfig.mainConsumerPrefix(FetchedFramesInterceptor.FETCHED_FRAMES_CONFIG), fetched);
    }

    /** Idle workers start on each camera's newest frame before its stream thread gets there; the tail follows the log. */
    @Override
    public void start(InferencePool pool) {
        pool.lookAhead(lookahead);
        if (tailConsumer != null) {
            FrameTail t = new FrameTail(fetched, lookahead, tailConsumer.get(), time);
            tail = t;
            newer = t;
        }
    }

    @Override
    public void close() {
        FrameTail t = tail;
        if (t != null) {
            try {
                t.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tail = null;
        }
    }
}
