package lookout.track;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A camera's {@link TrackerState} as bytes, for the Kafka Streams state store (camera id → state) and
 * its changelog. Binary rather than JSON: the state is rewritten on every frame, and doubles must
 * come back bit-identical so a restored tracker makes exactly the decisions the lost one would have.
 *
 * <p>Layout (big-endian): version byte {@code 2}; nextId, lastFrameSeq, frames (longs); track count
 * (int); per track: id (long), hits, missed (ints), the 8 mean values and the 36 upper-triangle
 * covariance values (doubles; the filter keeps its covariance exactly symmetric), then the length of
 * its colour descriptor (int, 0 without one) and its floats. About 370 bytes a track, 530 with a
 * descriptor. Version {@code 1} (the same without descriptors, written before the colour cue) is still
 * read, so a changelog written by the previous build restores. An unknown version is refused, not
 * guessed at.
 */
public final class TrackerStateSerde implements Serde<TrackerState> {
    static final byte VERSION = 2;
    static final byte VERSION_WITHOUT_APPEARANCE = 1;
    /** Longer descriptors are refused: nothing this build writes comes near it. */
    static final int MAX_APPEARANCE = 1024;
    private static final int DIM = KalmanBoxFilter.DIM;
    private static final int TRIANGLE = DIM * (DIM + 1) / 2;
    private static final int HEADER_BYTES = 1 + 3 * Long.BYTES + Integer.BYTES;
    private static final int TRACK_BYTES = Long.BYTES + 2 * Integer.BYTES + (DIM + TRIANGLE) * Double.BYTES;

    @Override
    public Serializer<TrackerState> serializer() {
        return (topic, state) -> state == null ? null : toBytes(state);
    }

    @Override
    public Deserializer<TrackerState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
    }

    public static byte[] toBytes(TrackerState state) {
        int size = HEADER_BYTES;
        for (Track t : state.tracks()) {
            size += TRACK_BYTES + Integer.BYTES + (t.appearance() == null ? 0 : t.appearance().length * Float.BYTES);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(VERSION);
        buf.putLong(state.nextId());
        buf.putLong(state.lastFrameSeq());
        buf.putLong(state.frames());
        buf.putInt(state.tracks().size());
        for (Track t : state.tracks()) {
            buf.putLong(t.id());
            buf.putInt(t.hits());
            buf.putInt(t.missed());
            for (double v : t.kalman().mean()) {
                buf.putDouble(v);
            }
            double[][] cov = t.kalman().covariance();
            for (int i = 0; i < DIM; i++) {
                for (int j = i; j < DIM; j++) {
                    buf.putDouble(cov[i][j]);
                }
            }
            float[] look = t.appearance();
            buf.putInt(look == null ? 0 : look.length);
            if (look != null) {
                for (float v : look) {
                    buf.putFloat(v);
                }
            }
        }
        return buf.array();
    }

    public static TrackerState fromBytes(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte version = buf.get();
            if (version != VERSION && version != VERSION_WITHOUT_APPEARANCE) {
                throw new SerializationException("unknown tracker state version " + version + " (this build reads "
                        + VERSION_WITHOUT_APPEARANCE + " and " + VERSION + ")");
            }
            boolean looks = version == VERSION;
            long nextId = buf.getLong();
            long lastFrameSeq = buf.getLong();
            long frames = buf.getLong();
            int count = buf.getInt();
            long least = (long) count * (TRACK_BYTES + (looks ? Integer.BYTES : 0));
            if (count < 0 || least > buf.remaining() || !looks && least != buf.remaining()) {
                throw new SerializationException("tracker state of " + bytes.length + " bytes cannot hold " + count + " tracks");
            }
            List<Track> tracks = new ArrayList<>(count);
            for (int n = 0; n < count; n++) {
                long id = buf.getLong();
                int hits = buf.getInt();
                int missed = buf.getInt();
                double[] mean = new double[DIM];
                for (int i = 0; i < DIM; i++) {
                    mean[i] = buf.getDouble();
                }
                double[][] cov = new double[DIM][DIM];
                for (int i = 0; i < DIM; i++) {
                    for (int j = i; j < DIM; j++) {
                        cov[i][j] = buf.getDouble();
                        cov[j][i] = cov[i][j];
                    }
                }
                float[] look = null;
                if (looks) {
                    int length = buf.getInt();
                    if (length < 0 || length > MAX_APPEARANCE) {
                        throw new SerializationException("tracker state names a colour descriptor of " + length + " values");
                    }
                    if (length > 0) {
                        look = new float[length];
                        for (int i = 0; i < length; i++) {
                            look[i] = buf.getFloat();
                        }
                    }
                }
                tracks.add(new Track(id, hits, missed, new KalmanBoxFilter.State(mean, cov), look));
            }
            if (buf.hasRemaining()) {
                throw new SerializationException("tracker state has " + buf.remaining() + " bytes after its last track");
            }
            return new TrackerState(nextId, lastFrameSeq, frames, tracks);
        } catch (BufferUnderflowException e) {
            throw new SerializationException("truncated tracker state (" + bytes.length + " bytes)");
        }
    }
}
