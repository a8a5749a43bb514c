package lookout.camera;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import lookout.common.RateMeter;
import lookout.common.Redact;
import lookout.config.CameraSettings;
import lookout.config.Placeholders;
import lookout.frames.JpegEncoder;
import lookout.kafka.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Turns one camera (stream, file, image folder, device) into JPEG records on a Kafka topic, keyed
 * by camera id, with {@code lookout.seq} and {@code lookout.ts} headers.
 *
 * <p>Two threads: the caller's thread runs {@link #run()}: it reads, down-samples, paces and
 * encodes frames into a small bounded queue; a sender thread hands them to the producer. Live
 * sources and paced files drop the OLDEST queued frame when Kafka cannot keep up (the queue never
 * grows); files read as fast as possible wait instead (lossless). Live sources that stall or end
 * are reconnected forever with exponential backoff and jitter.
 */
public final class CameraBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CameraBridge.class);

    private record Outgoing(long seq, long timestampMillis, byte[] jpeg) {
    }

    private final CameraSpec spec;
    private final Placeholders placeholders = Placeholders.fromEnvironment();
    private final SourceKind kind;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final CameraSettings settings;
    private final String where;
    private final DropOldestQueue<Outgoing> queue;
    private final boolean lossless;

    private final AtomicLong captured = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final RateMeter rate = new RateMeter();
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile boolean captureDone;
    private volatile CameraState state = CameraState.NEW;
    private volatile Thread runThread;
    private volatile long lastFrameNanos = System.nanoTime();

    public CameraBridge(CameraSpec spec, Producer<String, byte[]> producer, String topic, MeterRegistry registry,
            CameraSettings settings) {
        this.spec = spec;
        String source = source(); // resolves ${...} now: a reference that cannot be resolved fails here, not later
        this.kind = SourceKind.of(source);
        this.producer = producer;
        this.topic = topic;
        this.settings = settings;
        this.registry = registry;
        this.where = Redact.url(source);
        this.queue = new DropOldestQueue<>(settings.queueCapacity());
        this.lossless = !kind.live() && !spec.realtime();
        registerMeters();
    }

    public CameraSpec spec() {
        return spec;
    }

    /**
     * Streams until a file or folder ends (without loop) and every frame was acknowledged, or until
     * {@link #close()}. Live sources never end on their own.
     *
     * @throws CameraUnavailableException when the source cannot be opened (first attempt, with
     *                                    fail-fast settings) or a file/folder cannot be read
     */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("camera " + spec.cameraId() + " is already running");
        }
        runThread = Thread.currentThread();
        warmUpProducer();
        Thread sender = new Thread(this::sendLoop, "camera-send-" + spec.cameraId());
        sender.setDaemon(true);
        sender.start();
        CameraState end = CameraState.FAILED;
        try {
            end = capture();
        } finally {
            captureDone = true;
            try {
                sender.join();
                if (end == CameraState.FINISHED) {
                    producer.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warnf("camera %s: flushing the producer: %s", spec.cameraId(), e.toString());
            }
            state = end;
            if (end == CameraState.FINISHED) {
                LOG.infof("camera %s: %s ended; %d frames sent, %d dropped", spec.cameraId(), where, sent.get(),
                        dropped.get());
            }
            done.countDown();
        }
    }

    /** Fetches the topic's metadata before the first frame, so a live source's first second is not dropped. */
    private void warmUpProducer() {
        try {
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            LOG.warnf("camera %s: no metadata for topic %s yet: %s", spec.cameraId(), topic, e.toString());
        }
    }

    private CameraState capture() {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        FpsSampler sampler = new FpsSampler(spec.fps());
        long seq = 0;
        boolean everOpened = false;
        state = CameraState.CONNECTING;
        try (JpegEncoder encoder = new JpegEncoder(spec.jpegQuality())) {
            while (!closing) {
                FrameSource source;
                try {
                    source = open();
                } catch (SourceException e) {
                    if (!kind.live() || (!everOpened && settings.failFast())) {
                        throw new CameraUnavailableException(spec.cameraId(),
                                "camera " + spec.cameraId() + ": cannot open " + where + ": " + e.getMessage(), e);
                    }
                    waitToReconnect(backoff, "cannot connect to " + where + ": " + e.getMessage());
                    continue;
                }
                LOG.infof("camera %s: %s %s (%s)", spec.cameraId(), everOpened ? "reconnected to" : "streaming from",
                        where, source.describe());
                everOpened = true;
                state = CameraState.STREAMING;
                sampler.reset();
                long seqAtOpen = seq;
                String lost = "stream ended or stalled (no data for " + settings.readTimeout().toSeconds() + " s)";
                try (source) {
                    long firstPts = Long.MIN_VALUE;
                    long anchorMillis = 0;
                    while (!closing) {
                        FrameSource.Captured frame = source.grab();
                        if (frame == null) {
                            break;
                        }
                        seq++;
                        lastFrameNanos = System.nanoTime();
                        long pts = frame.timestampMicros();
                        long now = System.currentTimeMillis();
                        if (firstPts == Long.MIN_VALUE) {
                            firstPts = pts;
                            anchorMillis = now;
                            backoff.reset();
                        }
                        if (!sampler.keep(pts)) {
                            skipped.incrementAndGet();
                            continue;
                        }
                        long ts;
                        if (kind.live()) {
                            // stream time mapped onto the wall clock; the anchor follows the frame that
                            // arrived with the least delay, so buffered bursts never get future times
                            anchorMillis = Math.min(anchorMillis, now - (pts - firstPts) / 1000);
                            ts = anchorMillis + (pts - firstPts) / 1000;
                            if (now - ts > settings.maxClockSkew().toMillis()) {
                                firstPts = pts;
                                anchorMillis = now;
                                ts = now;
                            }
                        } else if (spec.realtime()) {
                            ts = anchorMillis + (pts - firstPts) / 1000;
                            long wait = ts - now;
                            if (wait > 0) {
                                sleep(wait);
                            } else if (-wait > settings.maxLag().toMillis()) {
                                dropped.incrementAndGet(); // behind schedule: skip rather than lag
                                continue;
                            }
                        } else {
                            ts = now;
                        }
                        if (closing) {
                            break;
                        }
                        Outgoing out = new Outgoing(seq, ts, encoder.encode(frame.image(), spec.maxWidth(), 0));
                        captured.incrementAndGet();
                        if (lossless) {
                            queue.put(out);
                        } else if (queue.offer(out) != null) {
                            dropped.incrementAndGet();
                        }
                    }
                } catch (SourceException e) {
                    if (!kind.live()) {
                        throw new CameraUnavailableException(spec.cameraId(),
                                "camera " + spec.cameraId() + ": cannot read " + where + ": " + e.getMessage(), e);
                    }
                    lost = "stream lost: " + e.getMessage();
                }
                if (closing) {
                    break;
                }
                if (!kind.live()) {
                    if (seq == seqAtOpen) {
                        throw new CameraUnavailableException(spec.cameraId(),
                                "camera " + spec.cameraId() + ": no frames in " + where, null);
                    }
                    if (!spec.loop()) {
                        return CameraState.FINISHED;
                    }
                    continue; // loop: open the file again; seq keeps counting
                }
                waitToReconnect(backoff, lost);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return CameraState.STOPPED;
    }

    /**
     * The source with its {@code ${...}} references resolved, every credential it holds remembered
     * for redaction. Resolved at each (re)connect, so a rotated secret file is picked up.
     */
    private String source() {
        Placeholders.Expanded e = placeholders.expand(spec.source());
        e.values().forEach(Redact::remember);
        Redact.rememberSource(spec.source());
        Redact.rememberSource(e.text());
        return e.text();
    }

    private FrameSource open() throws SourceException {
        String source;
        try {
            source = source();
        } catch (IllegalArgumentException e) {
            throw new SourceException(e.getMessage());
        }
        if (kind == SourceKind.FOLDER) {
            String dir = source.startsWith("file://") ? source.substring(7) : source;
            return ImageFolderSource.open(Path.of(dir), spec.fps() > 0 ? spec.fps() : settings.folderFps());
        }
        FfmpegLogging.apply(settings.ffmpegLogLevel());
        return FfmpegSource.open(source, kind, settings.readTimeout(), settings.tlsCaFile());
    }

    private void waitToReconnect(Backoff backoff, String reason) throws InterruptedException {
        state = CameraState.RECONNECTING;
        Duration delay = backoff.next();
        reconnects.incrementAndGet();
        LOG.warnf("camera %s: %s; reconnect attempt %d in %d ms", spec.cameraId(), reason, backoff.attempts(),
                delay.toMillis());
        sleep(delay.toMillis());
    }

    /** Sleeps in short slices so that close() is honoured promptly. */
    private void sleep(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private void sendLoop() {
        try {
            while (true) {
                Outgoing frame = queue.poll(100, TimeUnit.MILLISECONDS);
                if (frame == null) {
                    if (captureDone || (closing && queue.size() == 0)) {
                        return;
                    }
                    continue;
                }
                if (closing) {
                    dropped.incrementAndGet(); // stopping: do not wait on a slow broker
                    continue;
                }
                send(frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(Outgoing frame) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_SEQ, Long.toString(frame.seq()).getBytes(StandardCharsets.US_ASCII));
        headers.add(Topics.HEADER_TS, Long.toString(frame.timestampMillis()).getBytes(StandardCharsets.US_ASCII));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, frame.timestampMillis(),
                spec.cameraId(), frame.jpeg(), headers);
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                    lastSeq.accumulateAndGet(frame.seq(), Math::max);
                    rate.mark();
                } else {
                    dropped.incrementAndGet();
                    logSendError(error);
                }
            });
        } catch (RuntimeException e) {
            // max.block.ms ran out (broker unreachable, buffer full) or the producer is closed
            dropped.incrementAndGet();
            logSendError(e);
        }
    }

    private void logSendError(Throwable error) {
        long n = sendErrors.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th... failure: visible, never a storm
            LOG.warnf("camera %s: Kafka did not take a frame (%d so far): %s", spec.cameraId(), n, error.toString());
        }
    }

    public CameraStats stats() {
        return new CameraStats(captured.get(), sent.get(), dropped.get(), reconnects.get(), rate.perSecond(),
                lastSeq.get(), state, skipped.get());
    }

    /** Seconds since the source last delivered a frame (a connected but silent source shows here). */
    public long secondsSinceLastFrame() {
        return (System.nanoTime() - lastFrameNanos) / 1_000_000_000L;
    }

    public CameraState state() {
        return state;
    }

    /**
     * Stops reading and sending (frames still queued are dropped) and waits for {@link #run()} to
     * return, at most a read timeout plus a few seconds. Does not close the producer (the caller's).
     */
    @Override
    public void close() {
        closing = true;
        if (started.get() && Thread.currentThread() != runThread) {
            try {
                if (!done.await(settings.readTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    LOG.warnf("camera %s: still reading after close; leaving it", spec.cameraId());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!started.get()) {
            state = CameraState.STOPPED;
        }
        removeMeters();
    }

    private synchronized void removeMeters() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }

    private void registerMeters() {
        Tags tags = Tags.of("camera", spec.cameraId());
        meters.add(FunctionCounter.builder("lookout.camera.frames.captured", captured, AtomicLong::get)
                .description("frames read and chosen for publishing").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("lookout.camera.frames.sent", sent, AtomicLong::get)
                .description("frames acknowledged by Kafka").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("lookout.camera.frames.dropped", dropped, AtomicLong::get)
                .description("frames dropped: queue full, behind real time, or refused by Kafka").tags(tags)
                .register(registry));
        meters.add(FunctionCounter.builder("lookout.camera.frames.skipped", skipped, AtomicLong::get)
                .description("frames not published because of fps down-sampling").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("lookout.camera.reconnects", reconnects, AtomicLong::get)
                .description("reconnection attempts to a live source").tags(tags).register(registry));
        meters.add(Gauge.builder("lookout.camera.fps", rate, RateMeter::perSecond)
                .description("frames sent per second, last 5 s").tags(tags).register(registry));
        meters.add(Gauge.builder("lookout.camera.streaming", this, b -> b.state == CameraState.STREAMING ? 1 : 0)
                .description("1 while frames flow").tags(tags).register(registry));
        meters.add(Gauge.builder("lookout.camera.queue.size", queue, DropOldestQueue::size)
                .description("frames waiting for the producer").tags(tags).register(registry));
    }
}
