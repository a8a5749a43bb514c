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
 * <p>Layout (big-endian): version byte {@code 1}; nextId, lastFrameSeq, frames (longs); track count
 * (int); per track: id (long), hits, missed (ints), the 8 mean values and the 36 upper-triangle
 * covariance values (doubles; the filter keeps its covariance exactly symmetric). About 370 bytes
 * a track. A new layout gets a new version byte; an unknown one is refused, not guessed at.
 */
public final class TrackerStateSerde implements Serde<TrackerState> {
    static final byte VERSION = 1;
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
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + state.tracks().size() * TRACK_BYTES);
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
        }
        return buf.array();
    }

    public static TrackerState fromBytes(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte version = buf.get();
            if (version != VERSION) {
                throw new SerializationException("unknown tracker state version " + version + " (this build reads " + VERSION + ")");
            }
            long nextId = buf.getLong();
            long lastFrameSeq = buf.getLong();
            long frames = buf.getLong();
            int count = buf.getInt();
            if (count < 0 || (long) count * TRACK_BYTES != buf.remaining()) {
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
                tracks.add(new Track(id, hits, missed, new KalmanBoxFilter.State(mean, cov)));
            }
            return new TrackerState(nextId, lastFrameSeq, frames, tracks);
        } catch (BufferUnderflowException e) {
            throw new SerializationException("truncated tracker state (" + bytes.length + " bytes)");
        }
    }
}
