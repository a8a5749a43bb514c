package lookout.review;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import lookout.config.ReviewSettings;
import lookout.detections.DetectionRecord;
import lookout.detections.StageHeaders;
import lookout.kafka.RecordSize;
import lookout.kafka.Topics;

/**
 * The picker in the detector's topology, after the tracker (it reads track ids): each analysed record,
 * with the picture and near-threshold detections the detect step attached in-process, goes through the
 * camera's {@link ReviewPicker}; a pick becomes a {@code lookout.review} record (key = item id, value =
 * the picture, header {@value Topics#HEADER_REVIEW_ITEM} = the {@link ReviewItem}), in the same
 * transaction as the frame that closed the slot. A wall-clock punctuator sends the held frame of
 * cameras gone silent.
 */
public final class ReviewPickProcessor implements Processor<byte[], DetectionRecord, String, byte[]> {
    public static final String NAME = "review-pick";
    public static final String SINK = "review-sink";
    private static final Logger LOG = Logger.getLogger(ReviewPickProcessor.class);
    private static final Duration PUNCTUATE = Duration.ofSeconds(5);

    private final ReviewSettings settings;
    private final float threshold;
    private final int maxRecordBytes;
    private final ReviewMetrics metrics;
    private ReviewPicker picker;
    private ProcessorContext<String, byte[]> context;

    /**
     * @param threshold      the detector's score threshold
     * @param maxRecordBytes the largest record the stream threads' producer sends (a pick that does not fit is dropped)
     */
    public ReviewPickProcessor(ReviewSettings settings, float threshold, int maxRecordBytes, ReviewMetrics metrics) {
        this.settings = settings;
        this.threshold = threshold;
        this.maxRecordBytes = maxRecordBytes;
        this.metrics = metrics;
    }

    /** Adds the picker as a child of {@code parent} and its sink to {@code lookout.review}. */
    public static void addTo(Topology topology, String parent, ReviewSettings settings, float threshold,
            int maxRecordBytes, ReviewMetrics metrics) {
        topology.addProcessor(NAME, () -> new ReviewPickProcessor(settings, threshold, maxRecordBytes, metrics), parent);
        topology.addSink(SINK, Topics.REVIEW, new StringSerializer(), new ByteArraySerializer(), NAME);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.picker = new ReviewPicker(settings, threshold, SceneSignature::of);
        context.schedule(PUNCTUATE, PunctuationType.WALL_CLOCK_TIME, now -> picker.idle(now).forEach(this::send));
    }

    @Override
    public void process(Record<byte[], DetectionRecord> record) {
        DetectionRecord r = record.value();
        if (r == null || !r.analysed()) {
            return;
        }
        byte[] picture = StageHeaders.picture(record.headers());
        if (picture == null) {
            return; // the detect step attaches it to every analysed record when this stage is on
        }
        PickerFrame f = new PickerFrame(r.camera(), r.seq(), r.captureTs(), r.width(), r.height(), r.model(),
                r.detections(), StageHeaders.below(record.headers(), "person"), picture);
        picker.offer(f, context.currentSystemTimeMs()).forEach(this::send);
    }

    private void send(ReviewPicker.Pick pick) {
        ReviewItem item = ReviewItem.of(pick, threshold);
        byte[] key = item.id().getBytes(StandardCharsets.UTF_8);
        Header[] headers = {new RecordHeader(Topics.HEADER_REVIEW_ITEM, item.toJson())};
        if (!RecordSize.fits(key, pick.frame().picture(), headers, maxRecordBytes)) {
            LOG.warnf("review: frame %d of camera %s is too large to offer for review (%d bytes); skipped",
                    item.seq(), item.camera(), pick.frame().picture().length);
            metrics.tooLarge(item.camera());
            return;
        }
        // the record's time is when it was picked (what the topic's retention counts from), not the camera's clock
        context.forward(new Record<>(item.id(), pick.frame().picture(), pick.pickedAt(), new RecordHeaders(headers)));
        metrics.picked(item.camera(), item.reasons());
    }
}
