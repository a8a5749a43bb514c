package lookout.kafka;

import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import lookout.config.LookoutConfig;

/**
 * Least privilege on Kafka: the one table of what each role may do, read off the clients each role
 * builds through {@link KafkaClients}. Everything else (the docs table, the Strimzi {@code KafkaUser}
 * resources, {@code lookout acls apply}, the authorizer test) is rendered from it, so they cannot
 * drift from each other.
 *
 * <p>Conventions: a role gets {@code DESCRIBE} and {@code DESCRIBE_CONFIGS} on every topic it touches
 * (every role checks its topics against {@link Topics} at start, and the detector sizes its records
 * by the topics' real limits); no role creates a {@code lookout.*} topic, the admin provisions them
 * (only the detector creates Kafka Streams' internal topics, under its application id). Idempotent
 * producers need no cluster permission: {@code WRITE} on a topic implies {@code IDEMPOTENT_WRITE}
 * since Kafka 2.8.
 */
public final class Acls {
    private Acls() {
    }

    /** Who holds a principal: each role gets a Kafka user of its own (the names are defaults). */
    public enum Role {
        CAMERA("lookout-camera", "a camera bridge (`lookout camera`) or any frame producer (kcat)"),
        DETECTOR("lookout-detector", "`lookout serve`: Kafka Streams, frame tail, model watcher, counting lines, live page"),
        TRAINER("lookout-trainer", "`lookout trainer`: labels view, commands, registry publish"),
        OPERATOR("lookout-operator", "`lookout labels`, `lookout control`, `lookout models list|fetch`"),
        PUBLISHER("lookout-publisher", "`lookout models publish|promote|rollback|prune` (writes the registry directly)"),
        LIVE("lookout-live", "the live page run as a role of its own (frames and detections, no group)"),
        ADMIN("lookout-admin", "`lookout topics create`: provisions the topics");

        private final String user;
        private final String who;

        Role(String user, String who) {
            this.user = user;
            this.who = who;
        }

        /** The default Kafka user name of this role (its principal is {@code User:<name>}). */
        public String user() {
            return user;
        }

        /** Which process or command holds the role. */
        public String who() {
            return who;
        }

        /** Lower-case name, as the CLI and the docs write it. */
        public String id() {
            return name().toLowerCase();
        }
    }

    /**
     * What the grants depend on in a deployment.
     *
     * @param detectorApplicationId {@code lookout.application-id}: the detector's group, internal topics and transactional ids
     * @param restControl           {@code lookout.rest.enabled}: the detector's REST door writes commands
     * @param livePage              {@code lookout.live.enabled}: the detector's live page reads detections
     * @param review                {@code lookout.review.enabled}: the detector picks frames onto {@code lookout.review}
     *                              and its review page turns answers into labels
     * @param keepDlqBytes          {@code lookout.dlq.keep-bytes}: the detector copies refused frames' bytes to
     *                              {@code lookout.frames.dlq.bytes}
     */
    public record Deployment(String detectorApplicationId, boolean restControl, boolean livePage, boolean review,
            boolean keepDlqBytes) {
        /** Without the review picker and page. */
        public Deployment(String detectorApplicationId, boolean restControl, boolean livePage) {
            this(detectorApplicationId, restControl, livePage, false);
        }

        /** Without the opt-in copies of dead-lettered frames' bytes (the default). */
        public Deployment(String detectorApplicationId, boolean restControl, boolean livePage, boolean review) {
            this(detectorApplicationId, restControl, livePage, review, false);
        }

        public static Deployment of(LookoutConfig config) {
            return new Deployment(config.detector().applicationId(), config.rest().enabled(), config.live().enabled(),
                    config.review().enabled(), config.deadLetters().keepBytes());
        }
    }

    /**
     * One permission: the operations allowed on a resource (a literal name or a prefix) and why the
     * role needs them (the code that uses them).
     */
    public record Grant(ResourceType type, String name, PatternType pattern, List<AclOperation> operations, String why) {
        public Grant {
            operations = List.copyOf(operations);
        }

        public ResourcePattern resource() {
            return new ResourcePattern(type, name, pattern);
        }
    }

    /** Every role's grants, in table order. */
    public static List<Grant> grants(Role role, Deployment d) {
        List<Grant> g = new ArrayList<>();
        switch (role) {
            case CAMERA -> g.add(topic(Topics.FRAMES, "frames in (idempotent producer, acks=all)", WRITE));
            case DETECTOR -> {
                String app = d.detectorApplicationId();
                g.add(topic(Topics.FRAMES, "Kafka Streams' source; the frame tail (no group); the live page", READ));
                g.add(topic(Topics.DETECTIONS, d.livePage() ? "one answer per frame (transactional); the live page reads it"
                        : "one answer per frame (transactional)", d.livePage() ? List.of(WRITE, READ) : List.of(WRITE)));
                g.add(topic(Topics.FRAMES_DLQ, "dead letters: metadata, reason, hash (same transaction)", WRITE));
                if (d.keepDlqBytes()) {
                    g.add(topic(Topics.FRAMES_DLQ_BYTES, "copies of refused frames' bytes (`lookout.dlq.keep-bytes`, opt-in)",
                            WRITE));
                }
                g.add(topic(Topics.CAMERA_STATS, "per-camera statistics (same transaction)", WRITE));
                g.add(topic(Topics.MODELS, "the model watcher follows the registry (no group)", READ));
                g.add(topic(Topics.CONTROL, d.restControl() ? "reload and counting-line commands (no group); the REST door sends commands"
                        : "reload and counting-line commands (no group)", d.restControl() ? List.of(READ, WRITE) : List.of(READ)));
                g.add(topic(Topics.EVENTS, "model-loaded, model-refused, registry-record-skipped", WRITE));
                if (d.review()) {
                    g.add(topic(Topics.REVIEW, "frames picked for review (same transaction); the review page follows"
                            + " them and marks them answered (no group)", WRITE, READ));
                    g.add(topic(Topics.LABELS, "the review page writes the labels an operator answered", WRITE));
                }
                g.add(new Grant(ResourceType.GROUP, app, PatternType.LITERAL, List.of(READ),
                        "Kafka Streams' consumer group (`lookout.application-id`), offsets committed in its transactions"));
                g.add(new Grant(ResourceType.TOPIC, Groups.streamsPrefix(app), PatternType.PREFIXED,
                        List.of(CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS),
                        "Kafka Streams' internal topics (tracker and statistics changelogs), created by Streams"));
                g.add(new Grant(ResourceType.TRANSACTIONAL_ID, Groups.streamsPrefix(app), PatternType.PREFIXED,
                        List.of(WRITE, DESCRIBE), "exactly_once_v2: one transactional id per stream thread"));
            }
            case TRAINER -> {
                g.add(topic(Topics.LABELS, "the training set, replayed from the beginning (no group)", READ));
                g.add(topic(Topics.CONTROL, "commands, as a member of its group", READ));
                g.add(topic(Topics.EVENTS, "progress and outcomes; the retraining policy reads past outcomes", READ, WRITE));
                g.add(topic(Topics.MODELS, "publishes versions and the serving pointer; reads the registry", READ, WRITE));
                g.add(new Grant(ResourceType.GROUP, Groups.TRAINER, PatternType.LITERAL, List.of(READ),
                        "the trainers' group on commands; a command's offset commits in its outcome's transaction"));
                g.add(new Grant(ResourceType.TRANSACTIONAL_ID, Groups.TRAINER_TRANSACTIONS_PREFIX, PatternType.PREFIXED,
                        List.of(WRITE, DESCRIBE), "one transactional id per trainer (prefix + `lookout.instance-id`)"));
            }
            case OPERATOR -> {
                g.add(topic(Topics.LABELS, "`labels import` and `delete` (tombstones); `labels export`", READ, WRITE));
                g.add(topic(Topics.CONTROL, "`control send`: retrain, promote, rollback, prune, reload, counting-line", WRITE));
                g.add(topic(Topics.EVENTS, "`control events` (no group)", READ));
                g.add(topic(Topics.MODELS, "`models list|fetch` (no group)", READ));
            }
            case PUBLISHER -> {
                g.add(topic(Topics.MODELS, "publishes versions, moves the serving pointer, prunes; reads the registry", READ,
                        WRITE));
                g.add(new Grant(ResourceType.TRANSACTIONAL_ID, Groups.MODELS_CLI_TRANSACTIONAL_ID, PatternType.LITERAL,
                        List.of(WRITE, DESCRIBE), "a publish is one transaction"));
            }
            case LIVE -> {
                g.add(new Grant(ResourceType.TOPIC, Topics.FRAMES, PatternType.LITERAL, List.of(READ, DESCRIBE),
                        "the newest frame per camera (assigned partitions, no group)"));
                g.add(new Grant(ResourceType.TOPIC, Topics.DETECTIONS, PatternType.LITERAL, List.of(READ, DESCRIBE),
                        "the boxes drawn on them (no group)"));
            }
            case ADMIN -> g.add(new Grant(ResourceType.TOPIC, "lookout.", PatternType.PREFIXED,
                    List.of(CREATE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, DELETE),
                    "creates missing topics as `kafka.Topics` specifies them; `topics check|apply` (retention), "
                            + "`topics purge` (deletes records before a time)"));
            default -> throw new IllegalArgumentException(role.name());
        }
        return List.copyOf(g);
    }

    /** A literal topic with the given operations plus DESCRIBE and DESCRIBE_CONFIGS (the start-up topic check). */
    private static Grant topic(String name, String why, AclOperation... ops) {
        return topic(name, why, List.of(ops));
    }

    private static Grant topic(String name, String why, List<AclOperation> ops) {
        List<AclOperation> all = new ArrayList<>(ops);
        all.add(DESCRIBE);
        all.add(DESCRIBE_CONFIGS);
        return new Grant(ResourceType.TOPIC, name, PatternType.LITERAL, all, why);
    }

    /** The role's grants as Kafka ACL bindings for {@code User:<user>}, from any host. */
    public static List<AclBinding> bindings(Role role, String user, Deployment d) {
        List<AclBinding> out = new ArrayList<>();
        for (Grant g : grants(role, d)) {
            for (AclOperation op : g.operations()) {
                out.add(new AclBinding(g.resource(),
                        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
            }
        }
        return out;
    }
}
