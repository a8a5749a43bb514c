package lookout.detect;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import lookout.common.Sha256;
import lookout.kafka.RecordSize;
import lookout.kafka.Topics;

/**
 * A dead letter of a frame, in one of two forms:
 *
 * <ul>
 * <li>{@link #metadata}: the {@code lookout.frames.dlq} record. The frame's key and headers plus the
 * reason headers, its size ({@code lookout.dlq.size}) and SHA-256 ({@code lookout.dlq.sha256}), and no
 * value: the image itself is not kept (pictures of people are personal data; a frame answered
 * {@code inference-failed} is usually a good picture). The hash tells an operator which frame it was
 * (the camera bridge's own copy, a re-sent frame) without keeping it.</li>
 * <li>{@link #of}: a copy with the frame's bytes, for {@code lookout.frames.dlq.bytes}, written only when
 * an operator opts in ({@code lookout.dlq.keep-bytes}).</li>
 * </ul>
 * Either is cut down until it fits its topic's record limit. A frame just under the frames topic's
 * limit plus reason headers would otherwise be over it, and a record that can never be produced would
 * fail its stream thread again at every retry, jamming the partition for good. What gets cut, in
 * this order, and says so in a header: the payload (keeping its head; {@code lookout.dlq.truncated}
 * = original size, {@code lookout.dlq.sha256} = the original's hash), the frame's own headers
 * ({@code lookout.dlq.headers-dropped} = how many), the key ({@code lookout.dlq.key-truncated} =
 * original size). Reason and detail are always kept.
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers) {
    public static final String HEADER_TRUNCATED = "lookout.dlq.truncated";
    public static final String HEADER_SHA256 = "lookout.dlq.sha256";
    /** The size in bytes of the frame the dead letter stands for (its bytes are not in the record). */
    public static final String HEADER_SIZE = "lookout.dlq.size";
    public static final String HEADER_HEADERS_DROPPED = "lookout.dlq.headers-dropped";
    public static final String HEADER_KEY_TRUNCATED = "lookout.dlq.key-truncated";
    static final int MAX_DETAIL = 500;

    /**
     * The {@code lookout.frames.dlq} record: metadata, reason, size and hash; no image bytes.
     *
     * @param limit the largest record the DLQ takes (its {@code max.message.bytes}, or the
     *              producer's {@code max.request.size} if lower)
     */
    public static DeadLetter metadata(byte[] key, byte[] value, Headers original, String reason, String detail,
            int limit) {
        RecordHeaders reasons = reasons(reason, detail);
        reasons.add(HEADER_SIZE, utf8(String.valueOf(value == null ? 0 : value.length)));
        if (value != null) {
            reasons.add(HEADER_SHA256, utf8(Sha256.hex(value)));
        }
        return fit(key, null, original, reasons, limit);
    }

    /**
     * A copy with the frame's bytes (for {@code lookout.frames.dlq.bytes}, when an operator opted in).
     *
     * @param limit the largest record the topic takes (its {@code max.message.bytes}, or the
     *              producer's {@code max.request.size} if lower)
     */
    public static DeadLetter of(byte[] key, byte[] value, Headers original, String reason, String detail, int limit) {
        return fit(key, value, original, reasons(reason, detail), limit);
    }

    private static RecordHeaders reasons(String reason, String detail) {
        String d = detail == null ? "" : detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
        RecordHeaders reasons = new RecordHeaders();
        reasons.add(Topics.HEADER_DLQ_REASON, utf8(reason));
        reasons.add(Topics.HEADER_DLQ_DETAIL, utf8(d));
        return reasons;
    }

    private static DeadLetter fit(byte[] key, byte[] value, Headers original, RecordHeaders reasons, int limit) {
        Header[] own = original == null ? new Header[0] : original.toArray();
        if (RecordSize.fits(key, value, with(own, reasons), limit)) {
            return new DeadLetter(key, value, new RecordHeaders(with(own, reasons)));
        }
        byte[] k = key;
        Header[] kept = own;
        RecordHeaders cut = new RecordHeaders(reasons.toArray());
        if (value != null) {
            cut.add(HEADER_TRUNCATED, utf8(String.valueOf(value.length)));
            cut.add(HEADER_SHA256, utf8(Sha256.hex(value)));
        }
        if (!RecordSize.fits(k, new byte[0], with(kept, cut), limit / 2)) {
            reasons.add(HEADER_HEADERS_DROPPED, utf8(String.valueOf(own.length)));
            cut.add(HEADER_HEADERS_DROPPED, utf8(String.valueOf(own.length)));
            kept = new Header[0];
        }
        if (k != null && !RecordSize.fits(k, new byte[0], with(kept, cut), limit / 2)) {
            reasons.add(HEADER_KEY_TRUNCATED, utf8(String.valueOf(k.length)));
            cut.add(HEADER_KEY_TRUNCATED, utf8(String.valueOf(k.length)));
            k = Arrays.copyOf(k, Math.min(k.length, 1024));
        }
        if (value == null || RecordSize.fits(k, value, with(kept, reasons), limit)) {
            return new DeadLetter(k, value, new RecordHeaders(with(kept, reasons)));
        }
        Header[] headers = with(kept, cut);
        return new DeadLetter(k, Arrays.copyOf(value, room(k, value, headers, limit)), new RecordHeaders(headers));
    }

    /** The longest head of value that fits next to key and headers. */
    private static int room(byte[] key, byte[] value, Header[] headers, int limit) {
        int lo = 0;
        int hi = value.length;
        while (lo < hi) { // the size is monotonic in the payload length; varints make it not quite linear
            int mid = (lo + hi + 1) >>> 1;
            if (RecordSize.fits(key, value, mid, headers, limit)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static Header[] with(Header[] own, Headers extra) {
        Header[] more = extra.toArray();
        Header[] all = Arrays.copyOf(own, own.length + more.length);
        System.arraycopy(more, 0, all, own.length, more.length);
        return all;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
