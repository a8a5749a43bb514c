package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import lookout.common.Sha256;
import lookout.kafka.RecordSize;
import lookout.kafka.Topics;

class DeadLetterTest {
    static final int LIMIT = 1_000_000;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static String header(Headers h, String name) {
        return h.lastHeader(name) == null ? null : new String(h.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static Headers frameHeaders() {
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, "7".getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Test
    void shouldCopyASmallFrameWholeWithItsHeadersAndTheReason() {
        byte[] value = random(5000);
        DeadLetter dl = DeadLetter.of("cam".getBytes(StandardCharsets.UTF_8), value, frameHeaders(), "corrupt",
                "truncated", LIMIT);
        assertThat(dl.value()).isEqualTo(value);
        assertThat(header(dl.headers(), Topics.HEADER_SEQ)).isEqualTo("7");
        assertThat(header(dl.headers(), Topics.HEADER_DLQ_REASON)).isEqualTo("corrupt");
        assertThat(header(dl.headers(), DeadLetter.HEADER_TRUNCATED)).isNull();
    }

    @Test
    void shouldTruncateAFrameJustUnderTheTopicLimitSoItsCopyFitsTheDlq() {
        // Given a frame that the frames topic just took (same limit as the DLQ), plus reason headers
        byte[] key = "cam".getBytes(StandardCharsets.UTF_8);
        byte[] value = random(LIMIT - 200);
        // When it is dead-lettered
        DeadLetter dl = DeadLetter.of(key, value, frameHeaders(), "too-large", "x".repeat(2000), LIMIT);
        // Then the copy fits the limit, keeps the payload's head, and says what it was
        assertThat(RecordSize.fits(dl.key(), dl.value(), dl.headers().toArray(), LIMIT)).isTrue();
        assertThat(dl.value().length).isLessThan(value.length).isGreaterThan(LIMIT - 10_000);
        assertThat(dl.value()).isEqualTo(Arrays.copyOf(value, dl.value().length));
        assertThat(header(dl.headers(), DeadLetter.HEADER_TRUNCATED)).isEqualTo(String.valueOf(value.length));
        assertThat(header(dl.headers(), DeadLetter.HEADER_SHA256)).isEqualTo(Sha256.hex(value));
        assertThat(header(dl.headers(), Topics.HEADER_DLQ_DETAIL)).hasSize(DeadLetter.MAX_DETAIL);
        assertThat(header(dl.headers(), Topics.HEADER_SEQ)).isEqualTo("7");
    }

    @Test
    void shouldDropHugeHeadersAndCutAHugeKeyButAlwaysKeepTheReason() {
        RecordHeaders huge = new RecordHeaders();
        for (int i = 0; i < 20; i++) {
            huge.add("h" + i, random(40_000));
        }
        byte[] key = random(700_000);
        DeadLetter dl = DeadLetter.of(key, random(900_000), huge, "bad-key", "key too long", LIMIT);
        assertThat(RecordSize.fits(dl.key(), dl.value(), dl.headers().toArray(), LIMIT)).isTrue();
        assertThat(header(dl.headers(), DeadLetter.HEADER_HEADERS_DROPPED)).isEqualTo("20");
        assertThat(header(dl.headers(), DeadLetter.HEADER_KEY_TRUNCATED)).isEqualTo("700000");
        assertThat(dl.key()).hasSize(1024);
        assertThat(header(dl.headers(), Topics.HEADER_DLQ_REASON)).isEqualTo("bad-key");
    }

    @Test
    void shouldCopyANullKeyAndAnEmptyValue() {
        DeadLetter dl = DeadLetter.of(null, new byte[0], new RecordHeaders(), "empty", "frame has no bytes", LIMIT);
        assertThat(dl.key()).isNull();
        assertThat(dl.value()).isEmpty();
    }

    @Test
    void shouldKeepMetadataReasonSizeAndHashButNoBytesInTheDeadLetter() {
        byte[] picture = random(250_000);
        DeadLetter dl = DeadLetter.metadata("door".getBytes(StandardCharsets.UTF_8), picture, frameHeaders(),
                "inference-failed", "no result within 60000 ms", LIMIT);
        assertThat(dl.value()).isNull();
        assertThat(header(dl.headers(), DeadLetter.HEADER_SIZE)).isEqualTo("250000");
        assertThat(header(dl.headers(), DeadLetter.HEADER_SHA256)).isEqualTo(Sha256.hex(picture));
        assertThat(header(dl.headers(), Topics.HEADER_SEQ)).isEqualTo("7");
        assertThat(header(dl.headers(), Topics.HEADER_DLQ_REASON)).isEqualTo("inference-failed");
        // no header carries the picture either (headers are bounded metadata)
        assertThat(RecordSize.of(dl.key(), dl.value(), dl.headers().toArray())).isLessThan(1024);
    }

    @Test
    void shouldFitTheMetadataOfAFrameWithHugeHeadersAndKey() {
        RecordHeaders huge = new RecordHeaders();
        for (int i = 0; i < 20; i++) {
            huge.add("h" + i, random(40_000));
        }
        DeadLetter dl = DeadLetter.metadata(random(700_000), random(900_000), huge, "bad-key", "key too long", LIMIT);
        assertThat(RecordSize.fits(dl.key(), dl.value(), dl.headers().toArray(), LIMIT)).isTrue();
        assertThat(dl.value()).isNull();
        assertThat(header(dl.headers(), DeadLetter.HEADER_SIZE)).isEqualTo("900000");
    }
}
