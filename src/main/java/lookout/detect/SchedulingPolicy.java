package lookout.detect;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import lookout.config.FramePolicy;
import lookout.frames.FrameDecoder;
import lookout.inference.InferencePool;

/**
 * Which frames of a camera the detector analyses when they arrive faster than the model can
 * ({@code lookout.scheduling}): the one door for a scheduling policy. The topology asks it about
 * each frame its stream thread reaches ({@link #decide}) and answers what it is told; the service
 * lets it tune the stream threads' consumers ({@link #configure}) and start what it runs beside the
 * topology ({@link #start}: a frame tail, work for idle workers). A policy only ever picks
 * <em>which</em> record a frame gets, never whether it gets one: a frame it skips is answered
 * {@code skipped} with the policy's reason (counted in {@code lookout_frames_skipped_total{reason}}),
 * in the same transaction as its offset, so exactly-once output is untouched whatever it decides.
 * Stale and overloaded frames are the topology's to answer, under every policy.
 *
 * <p>Implementations: {@link EveryFrame}, {@link LatestFrame}, {@link EveryNthFrame}. One instance per
 * detection service, shared by its stream threads (each stream task asks about its own partition).
 */
public interface SchedulingPolicy extends AutoCloseable {

    /** What the stream thread does with a frame it reached. */
    sealed interface Decision permits Analyse, Skip, Started {
    }

    /** Analyse it the usual way (decode, submit, wait). */
    record Analyse() implements Decision {
    }

    /** Answer it {@code skipped} with this reason, without decoding or inference. */
    record Skip(String reason) implements Decision {
    }

    /** Its analysis has started already (a worker ran ahead): wait for this result; on failure, analyse it the usual way. */
    record Started(CompletableFuture<InferencePool.Result> result) implements Decision {
    }

    Decision ANALYSE = new Analyse();

    /**
     * The policy for the frame at {@code offset} (-1 when unknown) of {@code camera} in input
     * {@code partition}, captured at service time {@code serviceTs}.
     */
    Decision decide(int partition, String camera, long offset, long serviceTs);

    /** A frame of {@code camera} was analysed, {@code nanos} from submission to result. */
    default void analysed(int partition, String camera, long nanos) {
    }

    /**
     * Whether to commit right after this analysed frame's answer, so a {@code read_committed} consumer
     * sees it without waiting for the commit interval (latency first); by default the interval decides.
     */
    default boolean commitAfterAnswer(int partition, String camera, long offset) {
        return false;
    }

    /** A stream task (re)starts on this partition: what was known under an earlier assignment is not its. */
    default void taskStarted(int partition) {
    }

    /** The stream task of this partition closed (a rebalance moved it, or the service stops). */
    default void taskClosed(int partition) {
    }

    /**
     * Kafka Streams settings the policy needs: {@code tuning} (the operator's {@code kafka.*} keys may
     * override it) and {@code required}. By default a stream thread fetches 10 frames per poll.
     */
    default void configure(Map<String, Object> tuning, Map<String, Object> required) {
        tuning.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 10);
    }

    /** Starts what the policy runs beside the topology, on the pool frames are submitted to; before the streams start. */
    default void start(InferencePool pool) {
    }

    /** Stops what {@link #start} started. */
    @Override
    default void close() {
    }

    /** What a policy may be built from: the service's decoder, meters, frame-tail consumer and clock. */
    record Wiring(FrameDecoder decoder, DetectionMetrics metrics, Supplier<Consumer<byte[], byte[]>> tailConsumer,
            CaptureClock time) {
    }

    /** The policy {@code lookout.scheduling} names. */
    static SchedulingPolicy of(FramePolicy chosen, Wiring wiring) {
        return switch (chosen.key()) {
            case FramePolicy.LATEST_FRAME_KEY -> new LatestFrame(wiring.decoder(), wiring.metrics()::lookaheadWasted,
                    wiring.tailConsumer(), wiring.time());
            case FramePolicy.EVERY_NTH_FRAME_KEY -> new EveryNthFrame(chosen.every());
            case FramePolicy.EVERY_FRAME_KEY -> new EveryFrame();
            default -> throw new IllegalArgumentException("lookout.scheduling: no policy '" + chosen.key() + "'");
        };
    }
}
