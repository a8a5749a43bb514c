package lookout.detect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import lookout.frames.DeadLetterReason;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;

/**
 * The detector's Kafka Streams topology: {@code lookout.frames} → validate/decode → (stale? skip)
 * → inference pool → {@code lookout.detections}; bad input → {@code lookout.frames.dlq}. Every
 * frame read yields exactly one record on one of the two output topics.
 *
 * <p><b>How a synchronous processor meets the asynchronous batching pool.</b> Each stream thread's
 * processor submits its frame to the shared {@link InferencePool} and waits for the result before
 * returning. Batches therefore form <em>across</em> stream threads (and so across partitions and
 * cameras), which is why the service runs several stream threads (by default max batch size x
 * workers). This was chosen over a processor that buffers a local batch and flushes it from a
 * punctuator because Kafka Streams commits the input offsets of records a processor has returned
 * from: a buffered, not yet forwarded frame would be committed and lost on a crash, breaking
 * exactly-once unless the buffer lived in a changelogged state store (frames in a changelog).
 * Submit-and-wait keeps every frame's input offset, output record and DLQ record in one Kafka
 * transaction under exactly_once_v2, with no state. The price: the frames of one partition are
 * analysed one after another, so a single busy camera gets batch size 1; batching pays off with
 * several cameras/partitions, and stale frames are skipped (counted) when a camera outpaces the model.
 */
public final class DetectionTopology {
    public static final String SOURCE = "frames-source";
    public static final String PROCESSOR = "detect";
    public static final String DETECTIONS_SINK = "detections-sink";
    public static final String DLQ_SINK = "dlq-sink";
    static final int MAX_DETAIL = 500;

    /**
     * What the topology needs to know; all from application.properties.
     *
     * @param scoreThreshold the one place detections are filtered: below it they are not published
     */
    public record Settings(Duration maxFrameAge, float scoreThreshold, Duration inferenceTimeout) {
    }

    private final Settings settings;
    private final FrameDecoder decoder;
    private final InferencePool pool;
    private final DetectionMetrics metrics;
    private final Clock clock;

    public DetectionTopology(Settings settings, FrameDecoder decoder, InferencePool pool, DetectionMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.decoder = decoder;
        this.pool = pool;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Processors between the detect processor and {@code lookout.detections} (tracking, statistics):
     * they receive every {@link DetectionRecord}, analysed or skipped, in each camera's order.
     */
    public interface Stage {
        /** The processor that receives each record from the detect processor. */
        String entry();

        /**
         * Adds the stage's processors, stores and sinks, its {@link #entry()} fed by {@code parent};
         * returns the processor whose output is published on {@code lookout.detections}.
         */
        String addTo(Topology topology, String parent);
    }

    public Topology build() {
        return build(null);
    }

    /** The topology with a stage after detection, or none (null). */
    public Topology build(Stage stage) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.FRAMES);
        String next = stage == null ? DETECTIONS_SINK : stage.entry();
        topology.addProcessor(PROCESSOR, () -> new DetectProcessor(next), SOURCE);
        String last = stage == null ? PROCESSOR : stage.addTo(topology, PROCESSOR);
        topology.addSink(DETECTIONS_SINK, Topics.DETECTIONS, new StringSerializer(), DetectionRecord.serializer(), last);
        topology.addSink(DLQ_SINK, Topics.FRAMES_DLQ, new StringSerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /** A header value as a non-negative long: decimal ASCII, or 8 bytes big-endian (frames' seq and capture time). */
    public static Long headerLong(Headers headers, String name) throws InvalidFrameException {
        Header h = headers.lastHeader(name);
        if (h == null) {
            return null;
        }
        byte[] v = h.value();
        if (v == null || v.length == 0) {
            throw new InvalidFrameException(DeadLetterReason.BAD_HEADER, name + " is empty");
        }
        long value;
        if (isDecimal(v)) {
            try {
                value = Long.parseLong(new String(v, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new InvalidFrameException(DeadLetterReason.BAD_HEADER, name + " out of range");
            }
        } else if (v.length == Long.BYTES) {
            value = ByteBuffer.wrap(v).getLong();
        } else {
            throw new InvalidFrameException(DeadLetterReason.BAD_HEADER,
                    name + " is neither a decimal number nor an 8-byte big-endian long (" + v.length + " bytes)");
        }
        if (value < 0) {
            throw new InvalidFrameException(DeadLetterReason.BAD_HEADER, name + " is negative: " + value);
        }
        return value;
    }

    private static boolean isDecimal(byte[] v) {
        int start = v[0] == '-' || v[0] == '+' ? 1 : 0;
        if (start == v.length) {
            return false;
        }
        for (int i = start; i < v.length; i++) {
            if (v[i] < '0' || v[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Detections records go to the processor named {@code next} (a stage or the sink), dead letters to the DLQ sink. */
    private final class DetectProcessor implements Processor<String, byte[], String, Object> {
        private final String next;
        private ProcessorContext<String, Object> context;

        DetectProcessor(String next) {
            this.next = next;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> frame) {
            String camera = frame.key() == null ? "unknown" : frame.key();
            metrics.frameIn(camera);
            long seq;
            long captureTs;
            DecodedImage image;
            try {
                Long s = headerLong(frame.headers(), Topics.HEADER_SEQ);
                Long ts = headerLong(frame.headers(), Topics.HEADER_TS);
                seq = s != null ? s : context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
                captureTs = ts != null ? ts : frame.timestamp();
                image = decoder.decode(frame.value());
            } catch (InvalidFrameException e) {
                deadLetter(frame, camera, e.reason(), e.detail());
                return;
            }
            long now = clock.millis();
            if (now - captureTs > settings.maxFrameAge().toMillis()) {
                skip(frame, camera, seq, captureTs, image, DetectionRecord.STALE, now);
                return;
            }
            Future<InferencePool.Result> pending;
            try {
                pending = pool.submit(image);
            } catch (BatchAggregator.QueueFullException e) {
                skip(frame, camera, seq, captureTs, image, DetectionRecord.OVERLOAD, now);
                return;
            }
            InferencePool.Result result;
            try {
                result = pending.get(settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BatchAggregator.ShutdownException closing) {
                    // the service is stopping: fail the task so this frame is not committed (it is redone)
                    throw closing;
                }
                deadLetter(frame, camera, DeadLetterReason.INFERENCE_FAILED, String.valueOf(e.getCause().getMessage()));
                return;
            } catch (TimeoutException e) {
                pending.cancel(false);
                deadLetter(frame, camera, DeadLetterReason.INFERENCE_FAILED,
                        "no result within " + settings.inferenceTimeout().toMillis() + " ms");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for inference", e);
            }
            List<DetectionRecord.Item> items = result.detections().stream()
                    .filter(d -> d.score() >= settings.scoreThreshold())
                    .map(DetectionRecord.Item::of)
                    .toList();
            long published = clock.millis();
            DetectionRecord out = new DetectionRecord(camera, seq, captureTs, image.width(), image.height(),
                    modelRef(result.model()), DetectionRecord.OK, null, items,
                    new DetectionRecord.Timings(millis(result.queueNanos()), millis(result.inferenceNanos()),
                            result.batchSize(), published - captureTs));
            emit(frame, out);
            metrics.frameOut(camera, DetectionRecord.OK);
            metrics.endToEnd(published - captureTs);
        }

        private void skip(Record<String, byte[]> frame, String camera, long seq, long captureTs, DecodedImage image,
                String reason, long now) {
            DetectionRecord out = new DetectionRecord(camera, seq, captureTs, image.width(), image.height(), modelRef(),
                    DetectionRecord.SKIPPED, reason, List.of(), new DetectionRecord.Timings(null, null, null, now - captureTs));
            emit(frame, out);
            metrics.skipped(camera, reason);
            metrics.frameOut(camera, DetectionRecord.SKIPPED);
        }

        private void emit(Record<String, byte[]> frame, DetectionRecord out) {
            context.forward(new Record<String, Object>(frame.key(), out, frame.timestamp(), new RecordHeaders()), next);
        }

        private void deadLetter(Record<String, byte[]> frame, String camera, DeadLetterReason reason, String detail) {
            RecordHeaders headers = new RecordHeaders(frame.headers().toArray());
            headers.add(Topics.HEADER_DLQ_REASON, reason.code().getBytes(StandardCharsets.UTF_8));
            String d = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
            headers.add(Topics.HEADER_DLQ_DETAIL, d.getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<String, Object>(frame.key(), frame.value(), frame.timestamp(), headers), DLQ_SINK);
            metrics.deadLettered(camera, reason.code());
        }

        private DetectionRecord.ModelRef modelRef() {
            return modelRef(null);
        }

        /** The model that ran the frame (it may have been swapped since), else the one serving now. */
        private DetectionRecord.ModelRef modelRef(ModelMetadata ran) {
            ModelMetadata m = ran != null ? ran : pool.model();
            return new DetectionRecord.ModelRef(m.name(), m.version());
        }
    }

    private static Double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
