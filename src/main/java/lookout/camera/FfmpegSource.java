package lookout.camera;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.jboss.logging.Logger;

import lookout.common.Redact;

/** Video files, network streams and capture devices through FFmpeg (JavaCV). */
final class FfmpegSource implements FrameSource {
    private static final Logger LOG = Logger.getLogger(FfmpegSource.class);
    private static final Pattern AV_ERROR = Pattern.compile("error (-\\d+)");

    private final FFmpegFrameGrabber grabber;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();

    private FfmpegSource(FFmpegFrameGrabber grabber) {
        this.grabber = grabber;
    }

    /**
     * Opens the source. Network streams get a socket read timeout (a stalled camera surfaces as an
     * error instead of a hang) and RTSP is forced onto TCP (no lost UDP packets, one port). With a CA
     * file, a TLS camera's certificate is checked first ({@link CameraTls}) and FFmpeg is told to
     * verify it too ({@code tls_verify}, {@code ca_file}: honoured by its HTTP client).
     *
     * @param caFile CA certificates TLS cameras must chain to, or null (not verified)
     */
    static FfmpegSource open(String source, SourceKind kind, Duration readTimeout, Path caFile) throws SourceException {
        if (caFile != null && kind == SourceKind.STREAM && CameraTls.tls(source)) {
            CameraTls.verify(source, caFile, readTimeout);
        }
        String input = source;
        if (kind == SourceKind.FILE) {
            Path path = Path.of(source.startsWith("file://") ? source.substring(7) : source);
            if (!Files.isRegularFile(path)) {
                throw new SourceException("no such file: " + path);
            }
            if (!Files.isReadable(path)) {
                throw new SourceException("file is not readable: " + path);
            }
            input = path.toString();
        }
        if (input.startsWith("v4l2:")) {
            input = input.substring(5);
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input);
        grabber.setPixelFormat(AV_PIX_FMT_BGR24);
        if (kind == SourceKind.DEVICE) {
            grabber.setFormat("v4l2");
        }
        if (kind == SourceKind.STREAM) {
            String micros = Long.toString(readTimeout.toNanos() / 1000);
            String scheme = input.substring(0, input.indexOf(':')).toLowerCase(Locale.ROOT);
            grabber.setOption("rw_timeout", micros);            // every AVIO protocol: read/write timeout
            // one decoder thread: no frame-threading delay, so a read error drains to "end" at once
            grabber.setVideoOption("threads", "1");
            if (scheme.startsWith("rtsp")) {
                grabber.setOption("rtsp_transport", "tcp");
                grabber.setOption("timeout", micros);           // rtsp socket I/O timeout (was "stimeout")
            } else if (scheme.startsWith("http")) {
                grabber.setOption("timeout", micros);           // http/tcp socket timeout
            }
            if (caFile != null && CameraTls.tls(input)) {
                grabber.setOption("tls_verify", "1");
                grabber.setOption("ca_file", caFile.toAbsolutePath().toString());
            }
        }
        try {
            grabber.start();
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            release(grabber);
            // FFmpeg's message names the URL: the cause kept for the log is a redacted copy
            throw new SourceException(describeError(e), Redact.throwable(e));
        }
        if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            release(grabber);
            throw new SourceException("no video stream in " + Redact.url(source));
        }
        return new FfmpegSource(grabber);
    }

    @Override
    public Captured grab() throws SourceException {
        try {
            while (true) {
                Frame frame = grabber.grabImage();
                if (frame == null) {
                    return null;
                }
                if (frame.image == null) {
                    continue;
                }
                return new Captured(converter.convert(frame), grabber.getTimestamp());
            }
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            throw new SourceException(describeError(e), Redact.throwable(e));
        }
    }

    @Override
    public double frameRate() {
        return grabber.getFrameRate();
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s %dx%d @ %.1f fps", grabber.getVideoCodecName(),
                grabber.getImageWidth(), grabber.getImageHeight(), grabber.getFrameRate());
    }

    @Override
    public void close() {
        release(grabber);
        converter.close();
    }

    private static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.release();
        } catch (Exception | Error e) {
            LOG.debugf("releasing the grabber: %s", e);
        }
    }

    /** FFmpeg's own words for the error code ("Connection refused") and the failing call, without JavaCV's hints. */
    static String describeError(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int hint = message.indexOf(" (Has setFormat");
        if (hint < 0) {
            hint = message.indexOf(" (For more details");
        }
        if (hint >= 0) {
            message = message.substring(0, hint);
        }
        message = Redact.url(message);
        Matcher m = AV_ERROR.matcher(message);
        if (m.find()) {
            try {
                int code = Integer.parseInt(m.group(1));
                byte[] buf = new byte[256];
                if (avutil.av_strerror(code, buf, buf.length) == 0) {
                    String text = new String(buf, 0, indexOfZero(buf)).trim();
                    String call = message.substring(0, m.end());
                    if (!text.isEmpty()) {
                        return text + " (" + call + ")";
                    }
                }
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return message;
    }

    private static int indexOfZero(byte[] buf) {
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] == 0) {
                return i;
            }
        }
        return buf.length;
    }
}
