package lookout.kafka;

import java.net.InetAddress;
import java.util.UUID;

/** A name for this process in events and transactional ids: host name (the pod name on Kubernetes). */
public final class Instance {
    private static final String ID = compute();

    private Instance() {
    }

    public static String id() {
        return ID;
    }

    private static String compute() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "lookout-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
