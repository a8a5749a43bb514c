package lookout.cli;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;
import lookout.common.Redact;

/**
 * The last line against credentials in logs: every record the console handler prints (this app's,
 * Kafka's, Quarkus', FFmpeg's through {@code camera.FfmpegLogging}) has its message and the messages
 * of its exception chain passed through {@link Redact#text}. Code redacts what it logs itself; this
 * catches what a library or a forgotten {@code toString()} would let through. Wired by
 * {@code quarkus.log.console.filter=lookout-redact} in application.properties.
 */
@LoggingFilter(name = "lookout-redact")
public final class RedactingLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        redact(record);
        return true;
    }

    /** Rewrites the record's message (formatted once, parameters dropped) and exception chain when they hold a credential. */
    static void redact(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String clean = Redact.text(message);
        if (clean != null && !clean.equals(message)) {
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(clean, ExtLogRecord.FormatStyle.NO_FORMAT);
            } else {
                record.setMessage(clean);
            }
            record.setParameters(null);
        }
        Throwable thrown = record.getThrown();
        if (thrown != null && holdsCredential(thrown)) {
            record.setThrown(Redact.throwable(thrown));
        }
    }

    private static boolean holdsCredential(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.equals(Redact.text(m))) {
                return true;
            }
        }
        return false;
    }
}
