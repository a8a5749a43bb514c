package lookout.trainer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSet;

/**
 * Keeps a {@link LabelSet} up to date from {@code lookout.labels}: every partition from the
 * beginning (each trainer holds the whole data set), new records and tombstones as they come.
 * {@link #sync} waits until everything written before the call has been applied.
 */
public final class LabelsView implements AutoCloseable {
    private final LabelSet labels;
    private final TopicFollower follower;

    public LabelsView(KafkaClients clients, LabelCodec codec) {
        this(clients, codec, set -> { });
    }

    /** @param changed told after each batch of records applied (the trainer's labels-per-camera meter) */
    public LabelsView(KafkaClients clients, LabelCodec codec, Consumer<LabelSet> changed) {
        this.labels = new LabelSet(codec);
        this.follower = new TopicFollower(clients, "lookout-trainer-labels", List.of(Topics.LABELS), List.of(),
                (records, caughtUp) -> {
                    if (!records.isEmpty()) {
                        records.forEach(r -> labels.apply(r.key(), r.value(), r.partition(), r.offset()));
                        changed.accept(labels);
                    }
                });
    }

    public LabelsView start() {
        follower.start();
        return this;
    }

    /** True once the labels topic has been read up to where it ended when the view started. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    public LabelSet labels() {
        return labels;
    }

    /** Waits until every labels record written before this call is applied. */
    public void sync(Duration timeout) throws TimeoutException, InterruptedException {
        follower.sync(timeout);
    }

    @Override
    public void close() {
        follower.close();
    }
}
