package lookout.camera;

import java.util.regex.Pattern;

/** Keeps camera passwords out of logs: rtsp://user:secret@host becomes rtsp://user:***@host. */
final class Redact {
    private static final Pattern PASSWORD = Pattern.compile("(://[^/:@\\s]*):[^@/\\s]*@");

    private Redact() {
    }

    static String url(String text) {
        return text == null ? null : PASSWORD.matcher(text).replaceAll("$1:***@");
    }
}
