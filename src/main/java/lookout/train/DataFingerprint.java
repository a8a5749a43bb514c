package lookout.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import lookout.eval.Box;

/** sha256 over the samples' ids (sorted) and their boxes: same labelled set, same fingerprint. */
public final class DataFingerprint {
    private DataFingerprint() {
    }

    public static String of(List<TrainingSample> samples) {
        List<TrainingSample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(TrainingSample::id));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (TrainingSample s : sorted) {
                StringBuilder line = new StringBuilder(s.id()).append('\n');
                for (Box b : s.boxes()) {
                    line.append(String.format(Locale.ROOT, "%.2f,%.2f,%.2f,%.2f;", b.x1(), b.y1(), b.x2(), b.y2()));
                }
                line.append('\n');
                digest.update(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
