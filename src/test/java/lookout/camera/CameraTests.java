package lookout.camera;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import lookout.config.CameraSettings;
import lookout.testing.TestSettings;

/** What the camera tests share: the configured settings, live cameras, and reading back what was sent. */
final class CameraTests {
    private CameraTests() {
    }

    /** The camera settings application.properties gives every camera. */
    static CameraSettings settings() {
        return TestSettings.config().camera();
    }

    /** A live camera at the configured JPEG quality. */
    static CameraSpec live(String cameraId, String url) {
        return CameraSpec.of(cameraId, url, settings().jpegQuality());
    }

    static long header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        if (h == null) {
            throw new AssertionError("record has no header " + name);
        }
        return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
    }

    static boolean isJpeg(byte[] value) {
        return value != null && value.length > 4 && (value[0] & 0xff) == 0xFF && (value[1] & 0xff) == 0xD8
                && (value[value.length - 2] & 0xff) == 0xFF && (value[value.length - 1] & 0xff) == 0xD9;
    }
}
