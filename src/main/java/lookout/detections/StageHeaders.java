package lookout.detections;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What an analysed record carries, besides its {@link DetectionRecord}, from the detect processor to
 * a stage after it that asked (the review picker): the frame's picture and the detections just under
 * the score threshold, as in-process headers. The publish step drops every header, so none of this
 * reaches a topic.
 */
public final class StageHeaders {
    /**
     * In-process header of an analysed frame's record on its way to the stage: the frame's encoded
     * picture (the same bytes, not a copy). Only when the stage asks ({@code DetectionTopology.Stage#needsPictures()});
     * the publish step drops every header, so nothing of it reaches a topic.
     */
    public static final String PICTURE_HEADER = "lookout.internal.picture";
    /**
     * In-process header beside {@link #PICTURE_HEADER}: the detections that scored under the threshold by
     * at most {@link #BELOW_BAND} (5 floats each: score, x1, y1, x2, y2), which are not published but say
     * where the model was unsure.
     */
    public static final String BELOW_HEADER = "lookout.internal.below";
    /** How far under the score threshold the stage still hears of a detection. */
    public static final float BELOW_BAND = 0.25f;

    private StageHeaders() {
    }

    /** The headers an analysed record carries to a stage that asked: its picture and the detections just under the threshold. */
    public static Headers of(byte[] picture, List<Detection> below) {
        RecordHeaders h = new RecordHeaders();
        h.add(PICTURE_HEADER, picture);
        h.add(BELOW_HEADER, encodeBelow(below));
        return h;
    }

    /** The picture an analysed record carries to a stage that asked for it, or null. */
    public static byte[] picture(Headers headers) {
        Header h = headers.lastHeader(PICTURE_HEADER);
        return h == null ? null : h.value();
    }

    /** The detections under the threshold (within {@link #BELOW_BAND}) an analysed record carries, highest score first. */
    public static List<Detection> below(Headers headers, String label) {
        Header h = headers.lastHeader(BELOW_HEADER);
        if (h == null || h.value() == null) {
            return List.of();
        }
        ByteBuffer b = ByteBuffer.wrap(h.value());
        List<Detection> out = new ArrayList<>(b.remaining() / 20);
        while (b.remaining() >= 20) {
            out.add(new Detection(label, b.getFloat(), b.getFloat(), b.getFloat(), b.getFloat(), b.getFloat()));
        }
        return out;
    }

    private static byte[] encodeBelow(List<Detection> below) {
        ByteBuffer b = ByteBuffer.allocate(20 * below.size());
        for (Detection d : below) {
            b.putFloat(d.score()).putFloat(d.x1()).putFloat(d.y1()).putFloat(d.x2()).putFloat(d.y2());
        }
        return b.array();
    }
}
