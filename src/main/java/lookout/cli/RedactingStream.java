package lookout.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import lookout.common.Redact;

/**
 * What commands print to stdout and stderr (status lines, one-line errors, picocli's usage errors)
 * passes through {@link Redact#text} line by line before it reaches the terminal, so a credential
 * can no more reach the terminal through a {@code println} than through a log line. A line is
 * written when it ends ({@code \n} or {@code \r}, so progress bars still move), on flush, or at 64 KiB.
 */
final class RedactingStream extends OutputStream {
    private static final int MAX_LINE = 64 * 1024;
    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private RedactingStream(OutputStream out) {
        this.out = out;
    }

    /** {@code System.out} and {@code System.err} redacted, once per process. */
    static synchronized void install() {
        if (!(System.out instanceof Installed)) {
            System.setOut(new Installed(new RedactingStream(System.out)));
        }
        if (!(System.err instanceof Installed)) {
            System.setErr(new Installed(new RedactingStream(System.err)));
        }
    }

    /** Marks a stream this class installed (installing twice would redact twice, harmlessly, but pointlessly). */
    static final class Installed extends PrintStream {
        Installed(OutputStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n' || b == '\r' || line.size() >= MAX_LINE) {
            emit();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        emit();
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
    }

    private void emit() throws IOException {
        if (line.size() == 0) {
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        out.write(Redact.text(text).getBytes(StandardCharsets.UTF_8));
    }
}
