package lookout.common;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What an id that users choose may be, checked wherever one arrives from outside (a topic, a
 * command, a CLI flag): model versions (they become directory names in the model cache, so a
 * strict pattern, never a path) and camera ids (record keys, metric tags, event fields, so
 * bounded in size).
 */
public final class Names {
    /** A version: a letter or digit first, then letters, digits, '.', '_' or '-'; at most 64 characters. */
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Longest camera id (UTF-8 bytes): a frame key, a label's camera, a retrain command's camera. */
    public static final int MAX_CAMERA_BYTES = 256;

    private Names() {
    }

    public static boolean isVersion(String version) {
        return version != null && VERSION.matcher(version).matches();
    }

    /**
     * @return the version, when valid
     * @throws IllegalArgumentException with a one-line reason (the offending value clipped)
     */
    public static String requireVersion(String version) {
        if (!isVersion(version)) {
            throw new IllegalArgumentException("invalid version " + (version == null ? "null" : "\"" + clip(version, 80)
                    + "\"") + ": a version is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return version;
    }

    /** Null when the camera id is acceptable, else why not. */
    public static String cameraProblem(String camera) {
        if (camera == null || camera.isBlank()) {
            return "camera id is empty";
        }
        int bytes = camera.getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_CAMERA_BYTES ? "camera id is " + bytes + " bytes, limit " + MAX_CAMERA_BYTES : null;
    }

    /**
     * The text, shortened to at most {@code max} characters with a note of how much was cut: user
     * input quoted in errors, events and logs stays one readable line.
     */
    public static String clip(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, Math.max(0, max)) + "...(" + (text.length() - max) + " more chars)";
    }
}
