package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FfmpegErrorsTest {

    @Test
    void shouldExplainTheErrorCodeInFfmpegsWordsWithoutHintsOrPasswords() {
        String javacv = "avformat_open_input() error -111: Could not open input \"rtsp://admin:s3cret@10.0.0.7/x\". "
                + "(Has setFormat() been called?) (For more details, make sure FFmpegLogCallback.set() has been called.)";
        assertThat(FfmpegSource.describeError(new Exception(javacv)))
                .isEqualTo("Connection refused (avformat_open_input() error -111)");
    }

    @Test
    void shouldKeepMessagesWithoutACode() {
        assertThat(FfmpegSource.describeError(new Exception("rtsp://u:pw@h/x went away")))
                .isEqualTo("rtsp://u:***@h/x went away");
    }
}
