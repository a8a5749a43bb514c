package lookout.kafka;

import java.nio.ByteBuffer;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * How large a record is on the wire, as the producer and the broker judge it (a one-record batch,
 * headers included), so writers can make what they send fit a topic's limit by construction
 * instead of learning it from a RecordTooLargeException.
 */
public final class RecordSize {
    /**
     * Slack for compression the operator may switch on ({@code kafka.compression.type}): a
     * compressor can grow incompressible bytes (JPEG) by a little framing.
     */
    static final int COMPRESSION_SLACK = 1024;

    private RecordSize() {
    }

    /** Upper bound of a record's size in a batch of its own, uncompressed. */
    public static int of(byte[] key, byte[] value, Header[] headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers);
    }

    /** Whether a record fits under a limit ({@code max.message.bytes}, {@code max.request.size}) with slack to spare. */
    public static boolean fits(byte[] key, byte[] value, Header[] headers, int limit) {
        return fits(key, value, value == null ? -1 : value.length, headers, limit);
    }

    /**
     * Whether a record whose value is the first {@code valueLength} bytes of value fits (no copy
     * is made: callers search for the longest head that fits).
     */
    public static boolean fits(byte[] key, byte[] value, int valueLength, Header[] headers, int limit) {
        ByteBuffer v = value == null ? null : ByteBuffer.wrap(value, 0, valueLength);
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key == null ? null : ByteBuffer.wrap(key), v, headers);
        return size + slack(Math.max(0, valueLength)) <= limit;
    }

    /** Compression framing can grow a payload by ~0.4% (LZ4's worst case) plus a constant. */
    static int slack(int valueLength) {
        return COMPRESSION_SLACK + valueLength / 250;
    }
}
