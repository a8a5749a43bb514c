package lookout.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;
import lookout.inference.InferencePool;
import lookout.inference.WorkAhead;

/**
 * Starts the analysis of a camera's newest frame as soon as a worker would otherwise idle, before
 * the stream thread that owns the frame has fetched it. A stream thread submits a frame, waits for
 * its result, publishes it and commits its transaction before it fetches the next: with one camera
 * the model idled that whole time (about a fifth of each frame on 2 cores). Here {@link FrameTail}
 * hands over each frame as it lands in the log ({@link #landed}), an idle {@link InferencePool}
 * worker takes the newest one ({@link #next}) and analyses it, and the stream thread, when it
 * reaches that frame, takes the result ({@link #decide}) instead of submitting it again.
 *
 * <p>Exactly-once is untouched: only the computation moves ahead; the frame's record is still
 * produced by the stream thread, in the transaction that commits the frame's offset, from the same
 * bytes (the tail reads committed records only). A frame whose analysis has started overtakes the
 * older frames of its camera (they are answered superseded: the result they would wait for is
 * already on its way), and is itself never superseded (its analysis is paid for). One instance per
 * detection service; thread-safe. Holds at most one frame's bytes per camera and partition, and
 * none for more than {@link #MAX_CAMERAS} cameras at once.
 */
public final class Lookahead implements WorkAhead {
    /** Beyond this many cameras with a frame waiting the model is never idle, so looking ahead is moot. */
    static final int MAX_CAMERAS = 256;

    private record Key(int partition, String camera) {
    }

    private record Landed(long offset, long captureTs, byte[] value) {
    }

    /** What the stream thread does with a frame it reached. */
    public sealed interface Decision {
    }

    /** Nothing started for this frame: the usual path (which may still find it overtaken). */
    public record Usual() implements Decision {
    }

    /** A newer frame of the camera is being analysed already: answer this one superseded. */
    public record Overtaken() implements Decision {
    }

    /** This frame's analysis has started: wait for this result instead of submitting it. */
    public record Started(CompletableFuture<InferencePool.Result> result) implements Decision {
    }

    static final Decision USUAL = new Usual();
    private static final Decision OVERTAKEN = new Overtaken();

    /** A frame handed to a worker: decode it, run it, complete it. */
    public final class Analysis implements WorkAhead.Analysis {
        private final Key key;
        private final long offset;
        private final byte[] value;
        private final CompletableFuture<InferencePool.Result> result = new CompletableFuture<>();

        private Analysis(Key key, long offset, byte[] value) {
            this.key = key;
            this.offset = offset;
            this.value = value;
        }

        @Override
        public DecodedImage decode() throws InvalidFrameException {
            return decoder.decode(value);
        }

        @Override
        public void complete(InferencePool.Result r) {
            result.complete(r);
        }

        @Override
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public String camera() {
            return key.camera();
        }

        long offset() {
            return offset;
        }
    }

    private final FrameDecoder decoder;
    private final Consumer<String> wasted;
    /** Newest landed frame per camera not yet started or reached. Guarded by this. */
    private final Map<Key, Landed> waiting = new HashMap<>();
    /** The newest started analysis per camera, until its stream thread reaches it. Guarded by this. */
    private final Map<Key, Analysis> started = new HashMap<>();
    /** The newest offset each camera's stream thread has reached. Guarded by this. */
    private final Map<Key, Long> reached = new HashMap<>();
    /** Wakes idle workers when a frame lands. */
    private volatile Runnable wake = () -> {
    };
    private volatile int waitingCount;

    /**
     * @param wasted told the camera of each analysis that no stream thread took (a newer one was
     *               started first, or the partition moved): the price of looking ahead
     */
    public Lookahead(FrameDecoder decoder, Consumer<String> wasted) {
        this.decoder = decoder;
        this.wasted = wasted;
    }

    @Override
    public void onArrival(Runnable wake) {
        this.wake = wake;
    }

    /** A frame of {@code camera} landed at {@code offset} of {@code partition} (from {@link FrameTail}). */
    public void landed(int partition, String camera, long offset, long captureTs, byte[] value) {
        if (value == null) {
            return;
        }
        Key key = new Key(partition, camera);
        synchronized (this) {
            if (offset <= reached.getOrDefault(key, -1L)) {
                return;
            }
            Analysis running = started.get(key);
            if (running != null && running.offset >= offset) {
                return;
            }
            Landed known = waiting.get(key);
            if (known == null && waiting.size() >= MAX_CAMERAS || known != null && known.offset() >= offset) {
                return;
            }
            waiting.put(key, new Landed(offset, captureTs, value));
            waitingCount = waiting.size();
        }
        wake.run();
    }

    @Override
    public boolean hasWork() {
        return waitingCount > 0;
    }

    /**
     * For an idle worker: the waiting frame captured longest ago (so a camera sending slowly is not
     * passed over for one sending fast), now started; null if none.
     */
    @Override
    public Analysis next() {
        Analysis superseded;
        Analysis taken;
        synchronized (this) {
            Key bestKey = null;
            Landed best = null;
            for (Map.Entry<Key, Landed> e : waiting.entrySet()) {
                if (best == null || e.getValue().captureTs() < best.captureTs()) {
                    bestKey = e.getKey();
                    best = e.getValue();
                }
            }
            if (best == null) {
                return null;
            }
            waiting.remove(bestKey);
            waitingCount = waiting.size();
            taken = new Analysis(bestKey, best.offset(), best.value());
            superseded = started.put(bestKey, taken);
        }
        if (superseded != null) {
            wasted.accept(superseded.camera());
        }
        return taken;
    }

    /**
     * The stream thread reached a frame (in offset order per partition): whether its analysis
     * started already, or a newer frame's did, or neither. Atomic with {@link #next}: once this
     * returned {@link Usual}, no worker starts this frame any more.
     */
    public Decision decide(int partition, String camera, long offset) {
        Key key = new Key(partition, camera);
        Analysis passed = null;
        Decision decision;
        synchronized (this) {
            reached.merge(key, offset, Math::max);
            Landed w = waiting.get(key);
            if (w != null && w.offset() <= offset) {
                waiting.remove(key);
                waitingCount = waiting.size();
            }
            Analysis a = started.get(key);
            if (a == null) {
                decision = USUAL;
            } else if (a.offset > offset) {
                decision = OVERTAKEN;
            } else {
                started.remove(key);
                if (a.offset == offset) {
                    decision = new Started(a.result);
                } else {
                    passed = a; // the thread is past it (it was answered another way)
                    decision = USUAL;
                }
            }
        }
        if (passed != null) {
            wasted.accept(passed.camera());
        }
        return decision;
    }

    /** Drops what is known about a partition (its task moved or restarts). */
    public void forget(int partition) {
        List<String> dropped = new ArrayList<>();
        synchronized (this) {
            waiting.keySet().removeIf(k -> k.partition() == partition);
            waitingCount = waiting.size();
            reached.keySet().removeIf(k -> k.partition() == partition);
            started.keySet().removeIf(k -> k.partition() == partition && dropped.add(k.camera()));
        }
        dropped.forEach(wasted);
    }

    /** Cameras with a landed frame waiting, for tests. */
    synchronized int waiting() {
        return waiting.size();
    }
}
