package lookout.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Sha256;

/**
 * The lineage rule, in one place: which version follows which, how the data a model was trained
 * on is fingerprinted, and which {@code model.json} fields a derived or published artifact gets.
 * The fine-tuner derives a new artifact through {@link #derive}, the trainer stamps the candidate
 * it measured through {@link #stamp}, the registry stamps what it publishes through
 * {@link #publish}; versions are numbered by {@link #nextVersion} everywhere.
 */
public final class Lineage {
    private Lineage() {
    }

    /**
     * One training sample as the fingerprint sees it.
     *
     * @param id          stable sample id
     * @param imageSha256 hex sha256 of the encoded image (as stored or sent, not the pixels)
     * @param boxes       x1, y1, x2, y2 of each box, flat
     */
    public record Sample(String id, String imageSha256, float[] boxes) {
    }

    /**
     * The version after the given ones: the largest integer + 1 ("1", "2"... as the registry
     * numbers them); when none is an integer, the last one with ".1" appended; "1" for none.
     */
    public static String nextVersion(Collection<String> versions) {
        long max = 0;
        boolean numeric = false;
        String last = null;
        for (String v : versions) {
            if (v == null || v.isBlank()) {
                continue;
            }
            last = v.trim();
            try {
                max = Math.max(max, Long.parseLong(last));
                numeric = true;
            } catch (NumberFormatException e) {
                // a named version takes no part in numbering
            }
        }
        if (numeric || last == null) {
            return String.valueOf(max + 1);
        }
        return last + ".1";
    }

    /**
     * sha256 over the samples sorted by id: each sample's id (UTF-8), the raw sha256 of its encoded
     * image, then its boxes rounded to 2 decimals as little-endian float32. The same rule as
     * {@code fingerprint()} in model/lookout_model/datasets.py: the same set fingerprints the same
     * from Java and from Python, whatever order it came in.
     */
    public static String dataFingerprint(List<Sample> samples) {
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(Sample::id));
        MessageDigest digest = Sha256.newDigest();
        for (Sample s : sorted) {
            digest.update(s.id().getBytes(StandardCharsets.UTF_8));
            digest.update(HexFormat.of().parseHex(s.imageSha256()));
            ByteBuffer boxes = ByteBuffer.allocate(4 * s.boxes().length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : s.boxes()) {
                boxes.putFloat(round2(v));
            }
            digest.update(boxes.array());
        }
        return Sha256.hex(digest);
    }

    /** numpy's float32 round(x, 2): scale, round half to even, unscale, all in float32. */
    private static float round2(float v) {
        return (float) Math.rint(v * 100f) / 100f;
    }

    /**
     * {@code model.json} of an artifact derived from a parent: the parent's fields (architecture,
     * classes, anything the exporter wrote) with a (provisional) version, stamped as {@link #stamp} says.
     */
    public static ObjectNode derive(ObjectNode parentMeta, String version, String dataFingerprint, String modelSha256) {
        ObjectNode meta = parentMeta.deepCopy();
        meta.put("version", version);
        return stamp(meta, parentMeta.path("version").asText(null), dataFingerprint, modelSha256);
    }

    /**
     * The lineage fields of a trained artifact: the version it was trained from (kept when null),
     * the data fingerprint, the creation time (whole seconds), the sha256 of its model.pt, and
     * metrics emptied (the new model has not been measured yet).
     */
    public static ObjectNode stamp(ObjectNode meta, String parentVersion, String dataFingerprint, String modelSha256) {
        if (parentVersion != null) {
            meta.put("parent", parentVersion);
        }
        meta.put("dataFingerprint", dataFingerprint);
        meta.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.putObject("metrics");
        meta.put("sha256", modelSha256);
        return meta;
    }

    /**
     * What the registry stamps on publish: its own version (an artifact's version is provisional
     * until published) and the sha256 of the bytes actually published.
     */
    public static ObjectNode publish(ObjectNode meta, String version, String modelSha256) {
        return meta.put("version", version).put("sha256", modelSha256);
    }
}
