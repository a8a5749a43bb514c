package lookout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class RedactingLogFilterTest {

    @Test
    void shouldRedactAFormattedMessageAndTheExceptionChainOfALogRecord() {
        ExtLogRecord r = new ExtLogRecord(Level.WARNING, "camera %s: cannot open %s", ExtLogRecord.FormatStyle.PRINTF,
                getClass().getName());
        r.setParameters(new Object[] {"door", "http://cam/v.cgi?user=admin&pwd=Hunter2000"});
        r.setThrown(new RuntimeException("wrapped", new IllegalStateException("rtsp://a:b@c@10.0.0.1/x")));
        new RedactingLogFilter().isLoggable(r);
        assertThat(r.getFormattedMessage()).isEqualTo("camera door: cannot open http://cam/v.cgi?user=***&pwd=***");
        assertThat(r.getThrown().getCause().getMessage()).doesNotContain("b@c").contains("rtsp://a:***@10.0.0.1/x");
    }

    @Test
    void shouldLeaveACleanRecordAsItIs() {
        ExtLogRecord r = new ExtLogRecord(Level.INFO, "camera %s: streaming", ExtLogRecord.FormatStyle.PRINTF, "x");
        r.setParameters(new Object[] {"door"});
        new RedactingLogFilter().isLoggable(r);
        assertThat(r.getParameters()).containsExactly("door");
        assertThat(r.getFormattedMessage()).isEqualTo("camera door: streaming");
    }
}
