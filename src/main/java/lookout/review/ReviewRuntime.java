package lookout.review;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import lookout.cli.Shutdown;
import lookout.common.Json;
import lookout.config.LookoutConfig;
import lookout.config.ReviewSettings;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.labels.LabelCodec;

/**
 * The review page's side of the topics, in a detecting role (serve, demo) with
 * {@code lookout.review.enabled}: follows {@code lookout.review} from its beginning into a
 * {@link ReviewDesk} (items and answer marks, whichever replica wrote them), and turns an accepted answer
 * into its label on {@code lookout.labels} and then a mark on the item (a tombstone with an
 * {@value Topics#HEADER_REVIEW_ANSWER} header: compaction then drops the picture). A crash between the
 * two leaves the item waiting; answering it again rewrites the same label key, so nothing is duplicated.
 */
@ApplicationScoped
public class ReviewRuntime {
    private static final Logger LOG = Logger.getLogger(ReviewRuntime.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    Shutdown shutdown;
    @Inject
    MeterRegistry registry;

    private volatile ReviewDesk desk;
    private volatile KafkaProducer<String, byte[]> producer;

    /** Starts following lookout.review and opens the labels producer; stopped on shutdown. */
    public synchronized void start(KafkaClients clients, ReviewSettings settings) {
        if (desk != null || !settings.enabled()) {
            return;
        }
        LookoutConfig config = LookoutConfig.current();
        TopicAdmin.ensure(clients.settings(), Topics.REVIEWING);
        ReviewDesk d = new ReviewDesk(settings.maxPending(), LabelCodec.fromConfig(config), config.targetClass());
        producer = shutdown.register(clients.producer("lookout-review-page"));
        shutdown.register(new TopicFollower(clients, "lookout-review-page", List.of(Topics.REVIEW), List.of(),
                (records, caughtUp) -> records.forEach(r -> read(d, r))).start());
        Gauge.builder("lookout_review_waiting", d, x -> x.waiting(null).size())
                .description("frames offered for review and not answered yet (those this replica holds)").register(registry);
        desk = d;
    }

    /** The desk, or null when no review page runs in this process. */
    public ReviewDesk desk() {
        return desk;
    }

    /** Answers by outcome: labelled, nobody, or the code a refused one got. */
    private void answers(String outcome) {
        Counter.builder("lookout_review_answers_total").tag("outcome", outcome).register(registry).increment();
    }

    static void read(ReviewDesk desk, ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        try {
            Header answer = r.headers().lastHeader(Topics.HEADER_REVIEW_ANSWER);
            if (answer != null) {
                desk.answered(r.key(), Json.MAPPER.readValue(answer.value(), ReviewDesk.Answered.class));
                return;
            }
            Header item = r.headers().lastHeader(Topics.HEADER_REVIEW_ITEM);
            if (item != null && r.value() != null) {
                desk.offered(ReviewItem.parse(item.value()), r.value());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("review: record %s of %s-%d@%d skipped: %s", r.key(), r.topic(), r.partition(), r.offset(),
                    e.getMessage());
        }
    }

    /**
     * Checks the answer, writes its label and marks the item answered.
     *
     * @throws ReviewDesk.Refused what is not an answer to an offered, unanswered item (with the reason)
     * @throws IllegalStateException when Kafka did not take the label (the item waits again)
     */
    public ReviewDesk.Accepted answer(String itemId, byte[] body, String reviewer) throws ReviewDesk.Refused {
        ReviewDesk d = desk;
        ReviewDesk.Accepted a;
        try {
            a = d.answer(itemId, body, reviewer, System.currentTimeMillis());
        } catch (ReviewDesk.Refused e) {
            answers(e.code());
            throw e;
        }
        try {
            producer.send(new ProducerRecord<>(Topics.LABELS, a.labelKey(), a.labelValue()))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            RecordHeaders h = new RecordHeaders();
            h.add(new RecordHeader(Topics.HEADER_REVIEW_ANSWER, Json.MAPPER.writeValueAsString(a.mark())
                    .getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(Topics.REVIEW, null, a.itemId(), null, h))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.failed(itemId);
            throw new IllegalStateException("interrupted while writing the label", e);
        } catch (Exception e) {
            d.failed(itemId);
            throw new IllegalStateException("Kafka did not take the label of " + itemId + ": " + e.getMessage(), e);
        }
        d.answered(itemId, a.mark());
        answers(a.mark().outcome());
        LOG.infof("review: %s answered %s (%s): label %s, %s", reviewer, itemId, a.mark().outcome(), a.labelKey(),
                a.sample().provenance());
        return a;
    }
}
