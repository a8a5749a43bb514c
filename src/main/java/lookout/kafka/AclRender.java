package lookout.kafka;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACL table ({@link Acls}) written out for people and for Strimzi: a Markdown table (the one in
 * docs/kafka-acls.md) and {@code KafkaUser} resources (k8s/strimzi/kafka-users.yaml). Both files
 * are checked against this rendering by a test, so they change only with the table.
 */
public final class AclRender {
    /** The Strimzi API version of the resources written (v1beta2: the one every supported Strimzi serves). */
    public static final String STRIMZI_API = "kafka.strimzi.io/v1beta2";

    private AclRender() {
    }

    /** One row per grant: role, Kafka user, resource, operations, why. */
    public static String markdown(Acls.Deployment d) {
        StringBuilder b = new StringBuilder();
        b.append("| role | user | resource | operations | why |\n|---|---|---|---|---|\n");
        for (Acls.Role role : Acls.Role.values()) {
            for (Acls.Grant g : Acls.grants(role, d)) {
                b.append("| ").append(role.id()).append(" | `").append(role.user()).append("` | ")
                        .append(resource(g)).append(" | ")
                        .append(g.operations().stream().map(Enum::name).collect(Collectors.joining(", ")))
                        .append(" | ").append(g.why().replace("|", "\\|")).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String resource(Acls.Grant g) {
        String type = switch (g.type()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactional id";
            default -> g.type().name().toLowerCase(Locale.ROOT);
        };
        return type + " `" + g.name() + (g.pattern() == PatternType.PREFIXED ? "*` (prefix)" : "`");
    }

    /**
     * One {@code KafkaUser} per role: SCRAM-SHA-512 credentials (the User Operator generates the
     * password into a Secret named like the user, key {@code sasl.jaas.config}) and simple
     * authorization with exactly the role's grants.
     *
     * @param cluster     the Strimzi {@code Kafka} resource the users belong to ({@code strimzi.io/cluster})
     * @param cameraUsers one user with the camera's grants per name (a camera bridge per site, each revocable alone)
     */
    public static String strimzi(Acls.Deployment d, String cluster, List<String> cameraUsers) {
        StringBuilder b = new StringBuilder();
        b.append("# GENERATED from lookout.kafka.Acls by `./lookout acls strimzi`: do not edit by hand\n");
        b.append("# (KafkaAclsRenderTest fails when this file and the table differ). One KafkaUser per role:\n");
        b.append("# SCRAM-SHA-512 credentials in a Secret of the same name (key sasl.jaas.config, for\n");
        b.append("# KAFKA_SASL_JAAS_CONFIG), simple authorization, exactly the ACLs the role's code uses.\n");
        b.append("# The Kafka resource must enable `authorization: {type: simple}` and a scram-sha-512 listener.\n");
        b.append("# See docs/kafka-acls.md.\n");
        for (Acls.Role role : Acls.Role.values()) {
            List<String> users = role == Acls.Role.CAMERA && !cameraUsers.isEmpty() ? cameraUsers : List.of(role.user());
            for (String user : users) {
                user(b, d, cluster, role, user);
            }
        }
        return b.toString();
    }

    private static void user(StringBuilder b, Acls.Deployment d, String cluster, Acls.Role role, String user) {
        b.append("---\n");
        b.append("# ").append(role.id()).append(": ").append(role.who().replace("`", "")).append('\n');
        b.append("apiVersion: ").append(STRIMZI_API).append('\n');
        b.append("kind: KafkaUser\n");
        b.append("metadata:\n");
        b.append("  name: ").append(user).append('\n');
        b.append("  labels:\n");
        b.append("    strimzi.io/cluster: ").append(cluster).append('\n');
        b.append("    app: lookout\n");
        b.append("    role: ").append(role.id()).append('\n');
        b.append("spec:\n");
        b.append("  authentication:\n");
        b.append("    type: scram-sha-512\n");
        b.append("  authorization:\n");
        b.append("    type: simple\n");
        b.append("    acls:\n");
        for (Acls.Grant g : Acls.grants(role, d)) {
            b.append("      # ").append(g.why().replace("`", "")).append('\n');
            b.append("      - resource:\n");
            b.append("          type: ").append(strimziType(g.type())).append('\n');
            b.append("          name: ").append(g.name()).append('\n');
            b.append("          patternType: ").append(g.pattern() == PatternType.PREFIXED ? "prefix" : "literal").append('\n');
            b.append("        operations: [")
                    .append(g.operations().stream().map(AclRender::strimziOperation).collect(Collectors.joining(", ")))
                    .append("]\n");
        }
    }

    private static String strimziType(ResourceType t) {
        return switch (t) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            case CLUSTER -> "cluster";
            default -> throw new IllegalArgumentException("Strimzi has no ACL resource type for " + t);
        };
    }

    /** WRITE -> Write, DESCRIBE_CONFIGS -> DescribeConfigs: Strimzi's spelling of Kafka's operations. */
    static String strimziOperation(AclOperation op) {
        StringBuilder s = new StringBuilder();
        for (String part : op.name().split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }
}
