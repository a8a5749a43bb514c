package lookout.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

import lookout.config.KafkaSettings;

/**
 * Writes ACL bindings to a cluster with the admin client (for clusters that Strimzi's User Operator
 * does not manage). The caller's principal needs {@code ALTER} on the cluster (a super user). Creating
 * a binding that exists already changes nothing, so applying the table again is harmless.
 */
public final class AclAdmin {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private AclAdmin() {
    }

    /** @return how many bindings were sent */
    public static int apply(KafkaSettings kafka, Collection<AclBinding> bindings) {
        try (Admin admin = new KafkaClients(kafka).admin(TIMEOUT)) {
            admin.createAcls(bindings).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return bindings.size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create ACLs at " + kafka.bootstrapServers()
                    + " (the principal needs ALTER on the cluster): " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + kafka.bootstrapServers() + " within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        }
    }
}
