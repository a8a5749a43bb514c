package lookout.kafka;

/**
 * The consumer groups and transactional ids the roles use, in one place beside {@link Topics}: the
 * ACL table ({@link Acls}) grants exactly these, so a role that named its group or transactional id
 * elsewhere would be refused on a cluster with an authorizer. The detector's group and transactional
 * ids follow its Kafka Streams application id ({@code lookout.application-id}), which is
 * configuration.
 */
public final class Groups {
    private Groups() {
    }

    /** The trainers' consumer group on {@code lookout.control} (one trainer acts on each command). */
    public static final String TRAINER = "lookout-trainer";
    /** Each trainer's transactional id is this prefix plus its instance id (publish, outcome and offset in one transaction). */
    public static final String TRAINER_TRANSACTIONS_PREFIX = "lookout-trainer-";
    /** The transactional id of {@code lookout models publish|promote|rollback|prune}. */
    public static final String MODELS_CLI_TRANSACTIONAL_ID = "lookout-models-cli";

    public static String trainerTransactionalId(String instanceId) {
        return TRAINER_TRANSACTIONS_PREFIX + instanceId;
    }

    /**
     * Kafka Streams names its internal topics {@code <application.id>-<store>-changelog} and, under
     * exactly_once_v2, its transactional ids {@code <application.id>-<process id>-<thread>}: both
     * start with this prefix.
     */
    public static String streamsPrefix(String applicationId) {
        return applicationId + "-";
    }
}
