package lookout.camera;

import java.util.Locale;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.jboss.logging.Logger;

import lookout.common.Redact;

/**
 * FFmpeg's own log lines. FFmpeg prints to stderr on its own, URLs with their passwords included
 * (at info level it names the input, at debug level it prints whole HTTP requests with their
 * {@code Authorization} header), so its output is routed through a callback: each line is passed
 * through {@link Redact#text} and logged under the category {@code lookout.ffmpeg} (errors as
 * ERROR, warnings as WARN, the rest as INFO, since FFmpeg's level already chose what to print).
 * The bridge logs what matters itself, so FFmpeg is quiet unless asked:
 * {@code lookout.camera.ffmpeg-log-level} (quiet, panic, fatal, error, warning, info, verbose, debug).
 */
final class FfmpegLogging {
    private static final Logger LOG = Logger.getLogger("lookout.ffmpeg");
    private static volatile boolean applied;
    /** Held for the life of the process: FFmpeg keeps calling it. */
    private static Redacting callback;
    /** FFmpeg logs a line in pieces (one call per fragment): each thread's fragments until the newline. */
    private static final ThreadLocal<StringBuilder> PENDING = ThreadLocal.withInitial(StringBuilder::new);

    private FfmpegLogging() {
    }

    /** Sets FFmpeg's log level and routes its lines through redaction, once per process (the first camera's settings decide). */
    static synchronized void apply(String level) {
        if (applied) {
            return;
        }
        applied = true;
        avutil.av_log_set_level(level(level));
        callback = new Redacting();
        avutil.setLogCallback(callback);
    }

    static int level(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "panic" -> avutil.AV_LOG_PANIC;
            case "error" -> avutil.AV_LOG_ERROR;
            case "warning", "warn" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "verbose" -> avutil.AV_LOG_VERBOSE;
            case "debug" -> avutil.AV_LOG_DEBUG;
            case "trace" -> avutil.AV_LOG_TRACE;
            default -> avutil.AV_LOG_FATAL;
        };
    }

    /** One fragment of FFmpeg output: logged, redacted, once its line is complete. */
    static void fragment(int level, String text) {
        if (text == null || level > avutil.av_log_get_level()) {
            return;
        }
        StringBuilder line = PENDING.get();
        line.append(text);
        if (line.length() < 8192 && (line.isEmpty() || line.charAt(line.length() - 1) != '\n')) {
            return;
        }
        String out = Redact.text(line.toString().stripTrailing());
        line.setLength(0);
        if (out.isBlank()) {
            return;
        }
        if (level <= avutil.AV_LOG_ERROR) {
            LOG.error(out);
        } else if (level <= avutil.AV_LOG_WARNING) {
            LOG.warn(out);
        } else {
            LOG.info(out);
        }
    }

    private static final class Redacting extends LogCallback {
        @Override
        public void call(int level, BytePointer msg) {
            try {
                fragment(level, msg == null ? null : msg.getString());
            } catch (RuntimeException e) {
                // never throw back into FFmpeg's native code
            }
        }
    }
}
