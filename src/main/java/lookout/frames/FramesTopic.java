package lookout.frames;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import lookout.kafka.Topics;

/**
 * How a record of {@code lookout.frames} is read (the topic itself is defined in {@link Topics}): its
 * key names the camera, its headers carry the frame's sequence number and capture time. One reader
 * for the topology, the frame tail, the fetch interceptor and the live page.
 */
public final class FramesTopic {
    /** The camera of a frame without key. */
    public static final String NO_CAMERA = "unknown";

    private FramesTopic() {
    }

    /** The frame's sequence number ({@code seq} header), or null when it has none. */
    public static Long seq(Headers headers) throws InvalidFrameException {
        return headerLong(headers, Topics.HEADER_SEQ);
    }

    /** The frame's capture time in epoch ms ({@code ts} header), or null when it has none. */
    public static Long captureTs(Headers headers) throws InvalidFrameException {
        return headerLong(headers, Topics.HEADER_TS);
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

    /** The camera id a key stands for: its UTF-8 text (invalid bytes shown as U+FFFD), "unknown" without a key. */
    public static String camera(byte[] key) {
        return key == null ? NO_CAMERA : new String(key, StandardCharsets.UTF_8);
    }

}
