package lookout.frames;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

import lookout.testing.TestSettings;

class JpegEncoderTest {
    private final FrameDecoder decoder = TestSettings.decoder();

    private static Mat bgr(int width, int height) {
        return new Mat(height, width, opencv_core.CV_8UC3, new Scalar(60, 30, 200, 0)); // red, in BGR
    }

    private DecodedImage decode(byte[] jpeg) throws Exception {
        assertThat(ImageFormat.sniff(jpeg)).isEqualTo(ImageFormat.JPEG);
        return decoder.decode(jpeg);
    }

    @Test
    void givenAnImageWithinTheBounds_whenEncoded_thenItKeepsItsSizeAndColour() throws Exception {
        try (JpegEncoder encoder = new JpegEncoder(90); Mat image = bgr(64, 48)) {
            DecodedImage d = decode(encoder.encode(image, 64, 0));

            assertThat(d.width()).isEqualTo(64);
            assertThat(d.height()).isEqualTo(48);
            assertThat(d.rgb()[0] & 0xff).isBetween(190, 210); // RGB after decoding
            assertThat(d.rgb()[2] & 0xff).isBetween(50, 70);
        }
    }

    @Test
    void givenAWideImage_whenEncodedUnderAMaximumWidth_thenItIsScaledToThatWidthKeepingItsAspect() throws Exception {
        try (JpegEncoder encoder = new JpegEncoder(80); Mat image = bgr(1280, 720)) {
            DecodedImage d = decode(encoder.encode(image, 640, 0));

            assertThat(d.width()).isEqualTo(640);
            assertThat(d.height()).isEqualTo(360);
        }
    }

    @Test
    void givenATallImage_whenTheHeightBoundBinds_thenItIsScaledToThatHeight() throws Exception {
        try (JpegEncoder encoder = new JpegEncoder(80); Mat image = bgr(100, 1000)) {
            DecodedImage d = decode(encoder.encode(image, 80, 160)); // the thumbnail's bounds: width, twice it high

            assertThat(d.height()).isEqualTo(160);
            assertThat(d.width()).isEqualTo(16);
        }
    }

    @Test
    void givenNoBounds_whenEncoded_thenTheImageIsNotScaled() throws Exception {
        try (JpegEncoder encoder = new JpegEncoder(80); Mat image = bgr(300, 20)) {
            DecodedImage d = decode(encoder.encode(image, 0, 0));

            assertThat(d.width()).isEqualTo(300);
            assertThat(d.height()).isEqualTo(20);
        }
    }

    @Test
    void givenOneEncoder_whenItEncodesImagesOfDifferentSizes_thenEachComesOutAtItsOwnSize() throws Exception {
        try (JpegEncoder encoder = new JpegEncoder(80); Mat big = bgr(800, 600); Mat small = bgr(40, 30)) {
            assertThat(decode(encoder.encode(big, 400, 0)).width()).isEqualTo(400);
            assertThat(decode(encoder.encode(small, 400, 0)).width()).isEqualTo(40); // the reused buffers do not leak sizes
            assertThat(decode(encoder.encode(big, 200, 0)).height()).isEqualTo(150);
        }
    }
}
