package lookout.camera;

import java.util.Locale;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg prints to stderr on its own (every decode hiccup after a reconnect, every refused
 * connection). The bridge logs what matters itself, so FFmpeg is quiet unless asked:
 * {@code lookout.camera.ffmpeg-log-level} (quiet, panic, fatal, error, warning, info, verbose, debug).
 */
final class FfmpegLogging {
    private static volatile boolean applied;

    private FfmpegLogging() {
    }

    /** Sets FFmpeg's log level once per process (the first camera's settings decide). */
    static synchronized void apply(String level) {
        if (applied) {
            return;
        }
        applied = true;
        avutil.av_log_set_level(switch (level.toLowerCase(Locale.ROOT)) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "panic" -> avutil.AV_LOG_PANIC;
            case "error" -> avutil.AV_LOG_ERROR;
            case "warning", "warn" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "verbose" -> avutil.AV_LOG_VERBOSE;
            case "debug" -> avutil.AV_LOG_DEBUG;
            default -> avutil.AV_LOG_FATAL;
        });
    }
}
