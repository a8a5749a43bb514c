package lookout.kafka;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.common.acl.AclBinding;

import lookout.config.LookoutConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lookout acls table|strimzi|apply}: the least-privilege table of {@link Acls} as Markdown, as
 * Strimzi {@code KafkaUser} resources, or written to a cluster with the admin client.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        description = "Kafka ACLs per role: print the table, render Strimzi KafkaUser resources, or apply them.",
        subcommands = {AclsCommand.Table.class, AclsCommand.Strimzi.class, AclsCommand.Apply.class})
public class AclsCommand {

    /** Settings the grants depend on: the detector's application id, the REST door, the live page. */
    static Acls.Deployment deployment() {
        return Acls.Deployment.of(LookoutConfig.current());
    }

    @Command(name = "table", mixinStandardHelpOptions = true, description = "Print the table (Markdown).")
    public static class Table implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print(AclRender.markdown(deployment()));
            return 0;
        }
    }

    @Command(name = "strimzi", mixinStandardHelpOptions = true,
            description = "Print one Strimzi KafkaUser per role (what k8s/strimzi/kafka-users.yaml holds).")
    public static class Strimzi implements Callable<Integer> {
        @Option(names = "--cluster", defaultValue = "lookout", description = "the Strimzi Kafka resource (default ${DEFAULT-VALUE})")
        String cluster;
        @Option(names = "--camera-user", description = "a camera user of its own per name (repeatable; default one lookout-camera)")
        List<String> cameraUsers = new ArrayList<>();

        @Override
        public Integer call() {
            System.out.print(AclRender.strimzi(deployment(), cluster, cameraUsers));
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Create every role's ACLs on the cluster (run with a super user's kafka.* settings).")
    public static class Apply implements Callable<Integer> {
        @Option(names = "--user", paramLabel = "ROLE=NAME", description = "another Kafka user name for a role (repeatable)")
        Map<String, String> users = new java.util.LinkedHashMap<>();
        @Option(names = "--camera-user", description = "a camera user of its own per name (repeatable)")
        List<String> cameraUsers = new ArrayList<>();
        @Option(names = "--dry-run", description = "print the bindings, change nothing")
        boolean dryRun;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Override
        public Integer call() {
            Map<Acls.Role, String> named = new EnumMap<>(Acls.Role.class);
            users.forEach((role, name) -> named.put(role(role), name));
            List<AclBinding> bindings = bindings(deployment(), named, cameraUsers);
            if (dryRun) {
                bindings.forEach(System.out::println);
                return 0;
            }
            int n = AclAdmin.apply(kafka.settings(), bindings);
            System.out.printf("applied %d ACL bindings for %d roles%n", n, Acls.Role.values().length);
            return 0;
        }
    }

    static Acls.Role role(String id) {
        for (Acls.Role r : Acls.Role.values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role " + id + "; roles: "
                + java.util.Arrays.stream(Acls.Role.values()).map(Acls.Role::id).toList());
    }

    /** Every role's bindings under its user name (the default unless overridden; cameras may have several). */
    public static List<AclBinding> bindings(Acls.Deployment d, Map<Acls.Role, String> users, List<String> cameraUsers) {
        List<AclBinding> out = new ArrayList<>();
        for (Acls.Role role : Acls.Role.values()) {
            List<String> names = role == Acls.Role.CAMERA && !cameraUsers.isEmpty() ? cameraUsers
                    : List.of(users.getOrDefault(role, role.user()));
            for (String name : names) {
                out.addAll(Acls.bindings(role, name, d));
            }
        }
        return out;
    }
}
