package lookout.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class RedactTest {

    @Test
    void shouldMaskAPasswordHoldingAtColonAndPercentWhole() {
        String url = "rtsp://admin:p@ss:w%rd@10.0.0.7:554/stream1";
        assertThat(Redact.url(url)).isEqualTo("rtsp://admin:***@10.0.0.7:554/stream1");
    }

    @Test
    void shouldMaskAPasswordHoldingSlashQuestionMarkAndHash() {
        assertThat(Redact.url("rtsp://cam:a/b?c#d@192.168.1.9/live")).isEqualTo("rtsp://cam:***@192.168.1.9/live");
    }

    @Test
    void shouldMaskUserInfoWithoutUserNameOrWithATokenAsUser() {
        assertThat(Redact.url("https://:onlypassword@cam.local/x")).isEqualTo("https://***@cam.local/x");
        assertThat(Redact.url("https://ghp_0123456789abcdefABCDEF@cam.local/x")).isEqualTo("https://***@cam.local/x");
    }

    @Test
    void shouldMaskCredentialQueryValuesAndKeepTheRest() {
        assertThat(Redact.url("http://10.0.0.8/mjpg/video.cgi?user=admin&pwd=S3cr3t!&channel=1&resolution=640x480"))
                .isEqualTo("http://10.0.0.8/mjpg/video.cgi?user=***&pwd=***&channel=1&resolution=640x480");
        assertThat(Redact.url("https://cam/x?Access_Token=abc.def.ghi&X-Amz-Signature=00ff&apiKey=k1&auth=z"))
                .isEqualTo("https://cam/x?Access_Token=***&X-Amz-Signature=***&apiKey=***&auth=***");
    }

    @Test
    void shouldMaskTokenLikePathSegmentsAndTheSegmentAfterACredentialName() {
        assertThat(Redact.url("http://cam.example/live/9f8e7d6c5b4a39f8e7d6c5b4a3/stream.mjpg"))
                .isEqualTo("http://cam.example/live/***/stream.mjpg");
        assertThat(Redact.url("https://cam.example/token/abc/stream")).isEqualTo("https://cam.example/token/***/stream");
        assertThat(Redact.url("rtsp://cam:554/Streaming/Channels/101/h264Preview_01_main"))
                .isEqualTo("rtsp://cam:554/Streaming/Channels/101/h264Preview_01_main");
    }

    @Test
    void shouldRedactEveryUrlInsideFreeTextAndLeavePlainPathsAlone() {
        String line = "Could not open input \"rtsp://u:x@y@h:1/a\" and http://h/p?password=q then /srv/video/car park.mp4";
        assertThat(Redact.text(line)).isEqualTo(
                "Could not open input \"rtsp://u:***@h:1/a\" and http://h/p?password=*** then /srv/video/car park.mp4");
    }

    @Test
    void shouldMaskCredentialPairsOutsideUrlsAndAuthorizationHeaders() {
        assertThat(Redact.text("request: GET /video.cgi?user=admin&pwd=hunter22 HTTP/1.1"))
                .isEqualTo("request: GET /video.cgi?user=***&pwd=*** HTTP/1.1");
        assertThat(Redact.text("Authorization: Basic YWRtaW46aHVudGVyMjI=\r\nHost: x"))
                .isEqualTo("Authorization: ***\r\nHost: x");
        assertThat(Redact.text("camera door fps=5 max-width=1280")).isEqualTo("camera door fps=5 max-width=1280");
    }

    @Test
    void shouldMaskARememberedSecretAnywhereInAnyForm() {
        String pw = "pa ss\"w@rd-" + System.nanoTime();
        Redact.rememberSource("rtsp://operator:" + pw + "@10.1.1.1/x");
        String basic = Base64.getEncoder().encodeToString(("operator:" + pw).getBytes(StandardCharsets.UTF_8));
        String text = "cut short: rtsp://operator:" + pw + "@10.1.1.1/x; again " + pw + " encoded "
                + java.net.URLEncoder.encode(pw, StandardCharsets.UTF_8) + " basic " + basic;
        String out = Redact.text(text);
        assertThat(out).doesNotContain(pw).doesNotContain(java.net.URLEncoder.encode(pw, StandardCharsets.UTF_8))
                .doesNotContain(basic).doesNotContain("w@rd").contains("operator");
    }

    @Test
    void shouldListTheCredentialsASourceCarries() {
        assertThat(Redact.secretsOf("http://u:pw1@h/a/0123456789abcdef0123?token=tk&x=1"))
                .containsExactly("pw1", "0123456789abcdef0123", "tk");
        assertThat(Redact.secretsOf("/srv/video/file.mp4")).isEmpty();
    }

    @Test
    void shouldRedactAnExceptionChainButKeepItsStackTraces() {
        Exception inner = new IllegalStateException("open rtsp://a:topsecret1@h/x failed");
        Exception outer = new RuntimeException("wrapped", inner);
        Throwable copy = Redact.throwable(outer);
        assertThat(copy.getMessage()).isEqualTo("java.lang.RuntimeException: wrapped");
        assertThat(copy.getCause().getMessage()).isEqualTo("java.lang.IllegalStateException: open rtsp://a:***@h/x failed");
        assertThat(copy.getCause().getStackTrace()).isEqualTo(inner.getStackTrace());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // linear: well under a second; a quadratic pattern would take hours
    void shouldRedactAHugeHostileTextInLinearTime() {
        // a 5 MB camera name quoted in an error, runs of '@', '=' and "://" that make naive patterns quadratic
        String huge = "x".repeat(5_000_000) + " rtsp://" + "@".repeat(200_000) + "a:b@h/x " + "k=".repeat(500_000)
                + " http://" + "y".repeat(1_000_000) + "?pwd=secret1";
        String out = Redact.text(huge);
        assertThat(out).endsWith("?pwd=***");
    }
}
