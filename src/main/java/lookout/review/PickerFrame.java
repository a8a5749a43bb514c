package lookout.review;

import java.util.List;

import lookout.detections.Detection;
import lookout.detections.DetectionRecord;

/**
 * One analysed frame as the picker sees it: the published record's numbers and items (with their track
 * ids), the detections just under the threshold, and the picture.
 *
 * @param items   the published detections (score at least the threshold), with track ids where confirmed
 * @param below   detections the threshold kept from publishing, at most {@code StageHeaders.BELOW_BAND} under it
 * @param picture the frame's encoded bytes as the camera sent them
 */
public record PickerFrame(String camera, long seq, long captureTs, int width, int height,
        DetectionRecord.ModelRef model, List<DetectionRecord.Item> items, List<Detection> below, byte[] picture) {

    public PickerFrame {
        items = List.copyOf(items);
        below = List.copyOf(below);
    }
}
