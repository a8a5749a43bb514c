package lookout.camera;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short clips cut from the demo video with the real ffmpeg, into target/ (never committed). */
final class TestMedia {
    static final Path VTEST = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

    private TestMedia() {
    }

    static void assumeFfmpeg() {
        assumeTrue(Files.isReadable(VTEST), "needs " + VTEST + " (Debian package opencv-doc)");
        assumeTrue(onPath("ffmpeg") && onPath("ffprobe"), "needs ffmpeg and ffprobe on PATH (Debian package ffmpeg)");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The first {@code frames} frames of vtest.avi re-encoded with the given codec (cached in target/). */
    static Path clip(int frames, String codec, String extension) throws IOException, InterruptedException {
        assumeFfmpeg();
        Path dir = Files.createDirectories(Path.of("target", "camera-media"));
        Path out = dir.resolve("vtest-" + frames + "-" + codec + "." + extension);
        if (!Files.exists(out)) {
            Path tmp = dir.resolve("tmp-" + out.getFileName());
            exec(List.of("ffmpeg", "-y", "-v", "error", "-i", VTEST.toString(), "-frames:v", Integer.toString(frames),
                    "-an", "-c:v", codec, "-pix_fmt", "yuv420p", "-g", "10", tmp.toString()));
            Files.move(tmp, out);
        }
        return out;
    }

    /** Frames in a video as counted by ffprobe decoding it (an independent count). */
    static int countFrames(Path video) throws IOException, InterruptedException {
        String out = exec(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", video.toString()));
        return Integer.parseInt(out.trim());
    }

    static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
