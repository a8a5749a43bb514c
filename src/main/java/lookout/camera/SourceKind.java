package lookout.camera;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a camera source string names; decides pacing, looping and reconnecting. */
public enum SourceKind {
    /** a network stream (rtsp, rtmp, http MJPEG, srt, udp...): reconnected forever */
    STREAM(true),
    /** a local capture device such as /dev/video0: reopened forever */
    DEVICE(true),
    /** a video file: ends (or loops) */
    FILE(false),
    /** a folder of images, sent in name order: ends (or loops) */
    FOLDER(false);

    private static final Pattern URL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.+");

    private final boolean live;

    SourceKind(boolean live) {
        this.live = live;
    }

    public boolean live() {
        return live;
    }

    public static SourceKind of(String source) {
        if (URL.matcher(source).matches() && !source.toLowerCase(Locale.ROOT).startsWith("file://")) {
            return STREAM;
        }
        if (source.startsWith("/dev/video") || source.startsWith("v4l2:")) {
            return DEVICE;
        }
        Path path = Path.of(source.toLowerCase(Locale.ROOT).startsWith("file://") ? source.substring(7) : source);
        return Files.isDirectory(path) ? FOLDER : FILE;
    }
}
