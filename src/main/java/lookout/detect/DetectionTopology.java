package lookout.detect;

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
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import lookout.common.Names;
import lookout.detections.Appearance;
import lookout.detections.Detection;
import lookout.detections.DetectionRecord;
import lookout.detections.StageHeaders;
import lookout.frames.DeadLetterReason;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.FramesTopic;
import lookout.frames.ImageSize;
import lookout.frames.InvalidFrameException;
import lookout.inference.BatchAggregator;
import lookout.inference.InferencePool;
import lookout.kafka.RecordSize;
import lookout.kafka.Topics;
import lookout.model.ModelMetadata;
import lookout.tiles.TilePlanner;
import lookout.tiles.Tiling;

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
 * several cameras/partitions.
 *
 * <p><b>Which frames: a {@link SchedulingPolicy}.</b> The policy decides per frame whether it is
 * analysed, answered skipped (with the policy's reason) or taken from an analysis already started;
 * the topology asks nothing else about scheduling. <b>Latest frame first</b> ({@link LatestFrame}):
 * when a camera sends faster than the model analyses, its partition's stream thread has already
 * fetched newer frames of it while one is analysed; a frame that a newer frame of its camera overtakes is answered {@code skipped}/{@code superseded} at
 * once, without decoding or inference, and the newest is analysed: a camera's latency stays near two
 * inference times whatever its rate, and a backlog (after a crash) collapses to its newest frame per
 * camera. Every frame still gets its one record in the same transaction. Frames older than
 * {@code maxFrameAge} are answered {@code stale} (the safety net), a full queue {@code overload}.
 *
 * <p><b>Looking ahead.</b> Submit-and-wait leaves the model idle while a stream thread publishes,
 * commits and polls. Under the latest-frame policy {@link Lookahead} fills that gap: an idle worker
 * starts on the newest frame {@link FrameTail} saw land, and the stream thread, when it reaches that
 * frame, takes the result instead of submitting it (the frames it overtakes are superseded). Only
 * the computation moves ahead; the record is still produced here, in the frame's transaction.
 *
 * <p><b>Answers visible at once.</b> Under latest-frame the processor requests a commit right after
 * each analysed frame's answer ({@code ProcessorContext.commit()}), so a {@code read_committed}
 * consumer sees it without waiting for the commit interval, which could otherwise fall after the
 * next frame's analysis. Not when a frame of another camera already waits on the same stream thread
 * (cameras sharing a partition): the commit would delay that camera's turn and cost it frames.
 * Superseded and stale answers, which cost nothing to produce, wait for the interval; under
 * every-frame (offline footage, throughput first) everything does.
 *
 * <p><b>After detection.</b> A {@link Stage} (the tracker and camera statistics) may sit between the
 * detect processor and the publish step, on the same task: its stores change in the same transaction
 * as the frame's offset and answer. Keys stay the frame's bytes all the way to the sinks.
 */
public final class DetectionTopology {
    public static final String SOURCE = "frames-source";
    public static final String PROCESSOR = "detect";
    /** The last processor before the detections sink (see {@link PublishProcessor}). */
    public static final String PUBLISH = "publish-detections";
    public static final String DETECTIONS_SINK = "detections-sink";
    public static final String DLQ_SINK = "dlq-sink";
    /** Copies of dead-lettered frames' bytes, only with {@code lookout.dlq.keep-bytes}. */
    public static final String DLQ_BYTES_SINK = "dlq-bytes-sink";
    /**
     * What the topology needs to know; all from application.properties and the topics' limits.
     *
     * @param scoreThreshold     the one place detections are filtered: below it they are not published
     * @param detectionsMaxBytes largest record {@code lookout.detections} takes
     * @param dlqMaxBytes        largest record {@code lookout.frames.dlq} takes
     * @param clockMaxSkew       how far a camera's clock may be off before its frames are placed by
     *                           the time they were sent ({@link CaptureClock})
     * @param keepDlqBytes       also copy a dead-lettered frame's bytes to {@code lookout.frames.dlq.bytes}
     *                           ({@code lookout.dlq.keep-bytes}); off: the dead letter holds metadata only
     * @param dlqBytesMaxBytes   largest record {@code lookout.frames.dlq.bytes} takes
     */
    public record Settings(Duration maxFrameAge, float scoreThreshold, Duration inferenceTimeout,
            int detectionsMaxBytes, int dlqMaxBytes, Duration clockMaxSkew, boolean keepDlqBytes, int dlqBytesMaxBytes) {

        /** Dead letters without image bytes (the default). */
        public Settings(Duration maxFrameAge, float scoreThreshold, Duration inferenceTimeout, int detectionsMaxBytes,
                int dlqMaxBytes, Duration clockMaxSkew) {
            this(maxFrameAge, scoreThreshold, inferenceTimeout, detectionsMaxBytes, dlqMaxBytes, clockMaxSkew, false,
                    dlqMaxBytes);
        }
    }

    private final Settings settings;
    private final FrameDecoder decoder;
    private final InferencePool pool;
    private final DetectionMetrics metrics;
    private final Clock clock;
    private final CaptureClock time;
    private final SchedulingPolicy policy;
    /** Analysed records carry their picture to the stage (set by {@link #build(Stage)}). */
    private volatile boolean carryPictures;
    private volatile TilePlanner tiles;

    /** Every frame is analysed (unless stale or overloaded): the every-frame policy. */
    public DetectionTopology(Settings settings, FrameDecoder decoder, InferencePool pool, DetectionMetrics metrics,
            Clock clock) {
        this(settings, decoder, pool, metrics, clock, new EveryFrame());
    }

    /** Frames are analysed or answered skipped as {@code policy} decides (stale and overloaded ones always skipped). */
    public DetectionTopology(Settings settings, FrameDecoder decoder, InferencePool pool, DetectionMetrics metrics,
            Clock clock, SchedulingPolicy policy) {
        this.policy = policy;
        this.settings = settings;
        this.decoder = decoder;
        this.pool = pool;
        this.metrics = metrics;
        this.clock = clock;
        this.time = new CaptureClock(settings.clockMaxSkew(), clock);
    }

    /**
     * Frames of the cameras {@code planner} picks are analysed whole and as tiles, the boxes merged
     * (small people; see {@link TilePlanner}). Call before {@link #build}.
     */
    public DetectionTopology tiled(TilePlanner planner) {
        this.tiles = planner;
        return this;
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

        /** Topics the stage writes beyond the detector's own ({@code Topics.DETECTOR}): they are created or checked at start. */
        default List<String> topics() {
            return List.of();
        }

        /** Whether analysed records reach the stage with their picture and near-threshold detections (in-process headers). */
        default boolean needsPictures() {
            return false;
        }
    }

    public Topology build() {
        return build(null);
    }

    /** The topology with a stage after detection, or none (null). */
    public Topology build(Stage stage) {
        this.carryPictures = stage != null && stage.needsPictures();
        Topology topology = new Topology();
        // keys stay bytes end to end: a camera's key comes out exactly as it went in, whatever it holds
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.FRAMES);
        String next = stage == null ? PUBLISH : stage.entry();
        topology.addProcessor(PROCESSOR, () -> new DetectProcessor(next), SOURCE);
        String last = stage == null ? PROCESSOR : stage.addTo(topology, PROCESSOR);
        topology.addProcessor(PUBLISH, PublishProcessor::new, last);
        topology.addSink(DETECTIONS_SINK, Topics.DETECTIONS, new ByteArraySerializer(), new ByteArraySerializer(), PUBLISH);
        topology.addSink(DLQ_SINK, Topics.FRAMES_DLQ, new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        if (settings.keepDlqBytes()) {
            topology.addSink(DLQ_BYTES_SINK, Topics.FRAMES_DLQ_BYTES, new ByteArraySerializer(), new ByteArraySerializer(),
                    PROCESSOR);
        }
        return topology;
    }

    /** The detect processor alone (its answers go to the publisher), for tests on a mock context. */
    Processor<byte[], byte[], byte[], Object> detectProcessor() {
        return new DetectProcessor(PUBLISH);
    }

    /**
     * The last step before {@code lookout.detections}, after any stage: the record as JSON, cut to fit
     * the topic. A model that emits absurdly many boxes loses its lowest-scoring ones (counted in
     * {@code droppedDetections}) rather than failing the stream thread on a record Kafka would refuse;
     * the cut comes after the stage, so the tracker and statistics still see every detection.
     */
    private final class PublishProcessor implements Processor<byte[], DetectionRecord, byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], DetectionRecord> record) {
            DetectionRecord out = record.value();
            byte[] value = out.toJson();
            DetectionRecord cut = out;
            while (!RecordSize.fits(record.key(), value, NO_HEADERS, settings.detectionsMaxBytes())
                    && !cut.detections().isEmpty()) {
                int keep = cut.detections().size() / 2;
                cut = out.withDetections(out.detections().subList(0, keep), out.detections().size() - keep);
                value = cut.toJson();
            }
            // in-process headers (a stage's picture) stay in the process
            context.forward(record.withValue(value).withHeaders(new RecordHeaders()));
        }
    }

    /** Detections records go to the processor named {@code next} (a stage or the publisher), dead letters to the DLQ sink. */
    private final class DetectProcessor implements Processor<byte[], byte[], byte[], Object> {
        private final String next;
        private ProcessorContext<byte[], Object> context;
        /** The pixels of the frame {@link #analyse} submitted (for the colour descriptors and tiles). */
        private DecodedImage analysedImage;

        DetectProcessor(String next) {
            this.next = next;
        }

        @Override
        public void init(ProcessorContext<byte[], Object> context) {
            this.context = context;
            // a task (re)starting on this partition: what was fetched under an earlier assignment is not ours
            policy.taskStarted(context.taskId().partition());
        }

        @Override
        public void close() {
            policy.taskClosed(context.taskId().partition());
        }

        @Override
        public void process(Record<byte[], byte[]> frame) {
            String camera = FramesTopic.camera(frame.key());
            if (frame.key() != null && frame.key().length > Names.MAX_CAMERA_BYTES) {
                camera = camera.substring(0, Math.min(camera.length(), 64)) + "...";
                metrics.frameIn(camera);
                deadLetter(frame, camera, DeadLetterReason.BAD_KEY,
                        "key is " + frame.key().length + " bytes, a camera id is at most " + Names.MAX_CAMERA_BYTES);
                return;
            }
            metrics.frameIn(camera);
            long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
            long seq;
            long captureTs;
            ImageSize size;
            try {
                Long s = FramesTopic.seq(frame.headers());
                Long ts = FramesTopic.captureTs(frame.headers());
                seq = s != null ? s : offset;
                captureTs = ts != null ? ts : frame.timestamp();
                size = decoder.check(frame.value());
            } catch (InvalidFrameException e) {
                deadLetter(frame, camera, e.reason(), e.detail());
                return;
            } catch (RuntimeException e) {
                // the decoder refuses bad input with InvalidFrameException; anything else a crafted
                // image provokes is still bad input, not a reason to fail the stream thread
                deadLetter(frame, camera, DeadLetterReason.CORRUPT, "decoder error: " + e);
                return;
            }
            // the camera's capture time is its claim; what the service decides goes by service time
            CaptureClock.Placed at = time.place(captureTs, frame.timestamp());
            metrics.clockSkew(camera, at.skewMs(), at.trusted());
            long now = clock.millis();
            int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
            SchedulingPolicy.Decision decision = policy.decide(partition, camera, offset, at.serviceTs());
            if (decision instanceof SchedulingPolicy.Skip skipped) {
                skip(frame, camera, seq, at, size, skipped.reason(), now);
                return;
            }
            if (now - at.serviceTs() > settings.maxFrameAge().toMillis()) {
                skip(frame, camera, seq, at, size, DetectionRecord.STALE, now);
                return;
            }
            InferencePool.Result result = decision instanceof SchedulingPolicy.Started started ? awaitStarted(started) : null;
            DecodedImage pixels;
            if (result != null) {
                metrics.lookaheadTaken();
                // analysed by a worker ahead of this thread: its pixels are not kept (one decoded frame per
                // camera waiting would be megabytes each), so they are decoded again for what reads them
                pixels = decodeQuietly(frame.value());
            } else {
                analysedImage = null;
                result = analyse(frame, camera, seq, at, size, now);
                if (result == null) {
                    return; // answered otherwise (dead letter, overload)
                }
                pixels = analysedImage;
                analysedImage = null;
            }
            policy.analysed(partition, camera, result.queueNanos() + result.inferenceNanos());
            List<Detection> found = result.detections();
            Integer tileCount = null;
            TilePlanner planner = tiles;
            if (planner != null && pixels != null) {
                planner.inferred(millis(result.inferenceNanos()) / Math.max(1, result.batchSize()));
                if (planner.tile(camera)) {
                    List<Detection> merged = withTiles(planner.tiling(), camera, pixels, found);
                    if (merged != null) {
                        found = merged;
                        tileCount = planner.tiling().tiles();
                        metrics.tiled(camera);
                    }
                }
            }
            // colour descriptors for the tracker after detection: a few hundred pixel reads per box
            List<DetectionRecord.Item> items = found.stream()
                    .filter(d -> d.score() >= settings.scoreThreshold())
                    .sorted((a, b) -> Float.compare(b.score(), a.score()))
                    .map(d -> DetectionRecord.Item.of(d, pixels == null ? null : Appearance.of(pixels, d)))
                    .toList();
            long published = clock.millis();
            DetectionRecord out = new DetectionRecord(camera, seq, captureTs, (int) size.width(), (int) size.height(),
                    modelRef(camera, result.model()), DetectionRecord.OK, null, items, null,
                    new DetectionRecord.Timings(millis(result.queueNanos()), millis(result.inferenceNanos()),
                            result.batchSize(), age(published, at.serviceTs()), tileCount), at.clockSkewMs());
            emit(frame, out, carryPictures ? pictureHeaders(frame.value(), found) : new RecordHeaders());
            if (policy.commitAfterAnswer(partition, camera, offset)) {
                context.commit(); // the answer visible now, not at the commit interval (latest-frame)
            }
            metrics.frameOut(camera, DetectionRecord.OK);
            metrics.analysed(camera);
            metrics.endToEnd(age(published, at.serviceTs()));
        }

        private void skip(Record<byte[], byte[]> frame, String camera, long seq, CaptureClock.Placed at, ImageSize size,
                String reason, long now) {
            DetectionRecord out = new DetectionRecord(camera, seq, at.captureTs(), (int) size.width(), (int) size.height(),
                    modelRef(camera, null), DetectionRecord.SKIPPED, reason, List.of(), null,
                    new DetectionRecord.Timings(null, null, null, age(now, at.serviceTs())), at.clockSkewMs());
            emit(frame, out);
            metrics.skipped(camera, reason);
            metrics.frameOut(camera, DetectionRecord.SKIPPED);
        }

        /**
         * The whole frame's detections merged with its tiles' (each tile queued as a frame of the camera,
         * so cameras keep their fair turns); null when the tiles could not be had (queue full, a tile
         * failed or came too late): the frame is then answered from the whole frame alone.
         */
        private List<Detection> withTiles(Tiling tiling, String camera, DecodedImage image, List<Detection> whole) {
            List<Future<InferencePool.Result>> pending = new java.util.ArrayList<>();
            try {
                for (DecodedImage crop : tiling.crops(image)) {
                    pending.add(pool.submit(camera, crop));
                }
            } catch (BatchAggregator.QueueFullException e) {
                pending.forEach(f -> f.cancel(false));
                metrics.tilesDropped(camera, DetectionRecord.OVERLOAD);
                return null;
            }
            long deadline = System.nanoTime() + settings.inferenceTimeout().toNanos();
            List<List<Detection>> perTile = new java.util.ArrayList<>(pending.size());
            try {
                for (Future<InferencePool.Result> f : pending) {
                    perTile.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).detections());
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BatchAggregator.ShutdownException closing) {
                    throw closing;
                }
                pending.forEach(f -> f.cancel(false));
                metrics.tilesDropped(camera, "failed");
                return null;
            } catch (TimeoutException e) {
                pending.forEach(f -> f.cancel(false));
                metrics.tilesDropped(camera, "failed");
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for tiles", e);
            }
            return tiling.merge(image.width(), image.height(), whole, perTile);
        }

        /** The frame's pixels, or null if they cannot be had (the frame was analysed all the same). */
        private DecodedImage decodeQuietly(byte[] bytes) {
            try {
                return decoder.decode(bytes);
            } catch (InvalidFrameException | RuntimeException e) {
                return null;
            }
        }

        /** Decodes and submits the frame and waits for its result; null once it was answered another way. */
        private InferencePool.Result analyse(Record<byte[], byte[]> frame, String camera, long seq, CaptureClock.Placed at,
                ImageSize size, long now) {
            DecodedImage image;
            try {
                image = decoder.decode(frame.value());
                analysedImage = image;
            } catch (InvalidFrameException e) {
                deadLetter(frame, camera, e.reason(), e.detail());
                return null;
            } catch (RuntimeException e) {
                deadLetter(frame, camera, DeadLetterReason.CORRUPT, "decoder error: " + e);
                return null;
            }
            Future<InferencePool.Result> pending;
            try {
                pending = pool.submit(camera, image);
            } catch (BatchAggregator.QueueFullException e) {
                skip(frame, camera, seq, at, size, DetectionRecord.OVERLOAD, now);
                return null;
            }
            try {
                return pending.get(settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BatchAggregator.ShutdownException closing) {
                    // the service is stopping: fail the task so this frame is not committed (it is redone)
                    throw closing;
                }
                deadLetter(frame, camera, DeadLetterReason.INFERENCE_FAILED, String.valueOf(e.getCause()));
            } catch (TimeoutException e) {
                pending.cancel(false);
                deadLetter(frame, camera, DeadLetterReason.INFERENCE_FAILED,
                        "no result within " + settings.inferenceTimeout().toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for inference", e);
            }
            return null;
        }

        /**
         * The result of an analysis a worker started ahead of this thread; null when it failed or is
         * late, so that the usual path redoes the frame and answers any failure with its own reason.
         */
        private InferencePool.Result awaitStarted(SchedulingPolicy.Started started) {
            try {
                return started.result().get(settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BatchAggregator.ShutdownException closing) {
                    throw closing;
                }
                return null;
            } catch (TimeoutException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for inference", e);
            }
        }

        /** Records the service writes carry its own timestamp for the frame (see {@link CaptureClock#recordTime}). */
        private void emit(Record<byte[], byte[]> frame, DetectionRecord out) {
            emit(frame, out, new RecordHeaders());
        }

        private void emit(Record<byte[], byte[]> frame, DetectionRecord out, Headers headers) {
            context.forward(new Record<byte[], Object>(frame.key(), out, time.recordTime(frame.timestamp()), headers), next);
        }

        /** The picture and the detections just under the threshold, for a stage that asked (never published). */
        private Headers pictureHeaders(byte[] picture, List<Detection> all) {
            float t = settings.scoreThreshold();
            List<Detection> below = all.stream().filter(d -> d.score() < t && d.score() >= t - StageHeaders.BELOW_BAND)
                    .sorted((a, b) -> Float.compare(b.score(), a.score())).limit(100).toList();
            return StageHeaders.of(picture, below);
        }

        /** The frame's metadata, reason and hash to the DLQ; its bytes only where an operator opted in. */
        private void deadLetter(Record<byte[], byte[]> frame, String camera, DeadLetterReason reason, String detail) {
            DeadLetter dl = DeadLetter.metadata(frame.key(), frame.value(), frame.headers(), reason.code(), detail,
                    settings.dlqMaxBytes());
            context.forward(new Record<byte[], Object>(dl.key(), dl.value(), time.recordTime(frame.timestamp()),
                    dl.headers()), DLQ_SINK);
            if (settings.keepDlqBytes()) {
                DeadLetter copy = DeadLetter.of(frame.key(), frame.value(), frame.headers(), reason.code(), detail,
                        settings.dlqBytesMaxBytes());
                context.forward(new Record<byte[], Object>(copy.key(), copy.value(), time.recordTime(frame.timestamp()),
                        copy.headers()), DLQ_BYTES_SINK);
            }
            metrics.deadLettered(camera, reason.code());
        }

        /** The model that ran the frame (it may have been swapped since), else the one serving the camera now. */
        private DetectionRecord.ModelRef modelRef(String camera, ModelMetadata ran) {
            ModelMetadata m = ran != null ? ran : pool.model(camera);
            return new DetectionRecord.ModelRef(m.name(), m.version());
        }
    }

    private static final Header[] NO_HEADERS = new Header[0];

    /**
     * Service time to now, never negative (a capture time ahead within the clock bound reads as 0 ms,
     * not as a latency from the future; beyond the bound the service time is the send time).
     */
    static long age(long now, long captureTs) {
        return Math.max(0, now - captureTs);
    }

    private static Double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
