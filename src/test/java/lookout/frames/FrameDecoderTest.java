package lookout.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lookout.config.FrameLimits;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class FrameDecoderTest {
    private final FrameDecoder decoder = TestSettings.decoder();

    static byte[] encode(String format, int w, int h) {
        return TestFrames.solid(format, w, h, new Color(200, 30, 60));
    }

    /** Decoding fails with this dead-letter reason. */
    private static void assertRejected(FrameDecoder decoder, byte[] bytes, DeadLetterReason reason) {
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOfSatisfying(InvalidFrameException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void shouldDecodePngToRgbPixels() throws Exception {
        DecodedImage img = decoder.decode(encode("png", 32, 24));
        assertThat(img.width()).isEqualTo(32);
        assertThat(img.height()).isEqualTo(24);
        assertThat(img.rgb()[0] & 0xff).isEqualTo(200);
        assertThat(img.rgb()[1] & 0xff).isEqualTo(30);
        assertThat(img.rgb()[2] & 0xff).isEqualTo(60);
    }

    @Test
    void shouldDecodeJpeg() throws Exception {
        DecodedImage img = decoder.decode(encode("jpg", 64, 48));
        assertThat(img.width()).isEqualTo(64);
        assertThat(img.height()).isEqualTo(48);
        assertThat(img.rgb()[0] & 0xff).isBetween(185, 215);
    }

    @Test
    void shouldRejectEmptyFrame() {
        assertRejected(decoder, new byte[0], DeadLetterReason.EMPTY);
    }

    @Test
    void shouldRejectRandomBytesAsUnknownFormat() {
        byte[] junk = new byte[1000];
        new Random(1).nextBytes(junk);
        junk[0] = 1;
        assertRejected(decoder, junk, DeadLetterReason.UNKNOWN_FORMAT);
    }

    @Test
    void shouldRejectTruncatedJpeg() throws Exception {
        byte[] jpeg = encode("jpg", 64, 48);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertRejected(decoder, cut, DeadLetterReason.CORRUPT);
    }

    @Test
    void shouldRejectDecompressionBombBeforeDecoding() throws Exception {
        byte[] png = encode("png", 16, 16);
        // rewrite IHDR to claim 60000 x 60000 pixels
        byte[] bomb = png.clone();
        int[] dims = {60000, 60000};
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 4; j++) {
                bomb[16 + 4 * k + j] = (byte) (dims[k] >>> (24 - 8 * j));
            }
        }
        assertRejected(decoder, bomb, DeadLetterReason.BAD_DIMENSIONS);
        FrameDecoder strict = new FrameDecoder(new FrameLimits(1 << 20, 10000, 100));
        assertRejected(strict, png, DeadLetterReason.TOO_MANY_PIXELS);
    }

    @Test
    void shouldRejectOversizedPayload() throws Exception {
        FrameDecoder small = new FrameDecoder(new FrameLimits(100, 8192, 1L << 30));
        assertRejected(small, encode("png", 64, 64), DeadLetterReason.TOO_LARGE);
    }

    @Test
    void shouldRejectJpegWithCorruptBody() throws Exception {
        byte[] jpeg = encode("jpg", 64, 48);
        byte[] broken = jpeg.clone();
        // keep the headers and EOI, wreck the middle
        for (int i = jpeg.length / 3; i < jpeg.length - 2; i++) {
            broken[i] = (byte) 0xff;
        }
        // either refused outright or decoded to the declared size; never an exception of another kind
        try {
            DecodedImage img = decoder.decode(broken);
            assertThat(img.width()).isEqualTo(64);
        } catch (InvalidFrameException e) {
            assertThat(e.reason()).isEqualTo(DeadLetterReason.CORRUPT);
        }
    }
}
