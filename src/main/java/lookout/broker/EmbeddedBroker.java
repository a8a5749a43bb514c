package lookout.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running in this JVM from Kafka's
 * own jars: the same code a production broker runs, not a mock. Used by {@code lookout broker},
 * the embedded demo and the broker-backed integration tests.
 *
 * <p>Tuned for one node: every internal topic (offsets, transactions, share state) has
 * replication factor 1, so transactions (exactly-once) work out of the box.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class);

    /**
     * A SASL_SSL client listener (SCRAM-SHA-512 over TLS) in place of the PLAINTEXT one; the broker
     * keeps a PLAINTEXT listener of its own on another loopback port for its own use (inter-broker,
     * readiness, creating the users). For tests and development: that loopback port is not
     * authenticated.
     *
     * @param keystore PKCS12 keystore holding the broker's key and certificate (CN/SAN localhost)
     * @param password the keystore's (and key's) password
     * @param users      SCRAM-SHA-512 user name -> password, created at start
     * @param superUsers with any: the broker runs Kafka's {@code StandardAuthorizer}, these users may do
     *                   everything and every other user only what ACLs allow (none exist at start); without:
     *                   no authorizer, every authenticated user may do everything
     */
    public record Security(Path keystore, String password, Map<String, String> users, List<String> superUsers) {
        public Security {
            users = Map.copyOf(users);
            superUsers = List.copyOf(superUsers);
        }

        /** Authentication only: every authenticated user may do everything. */
        public Security(Path keystore, String password, Map<String, String> users) {
            this(keystore, password, users, List.of());
        }
    }

    private final int port;
    private final int internalPort;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private EmbeddedBroker(int port, int internalPort, Path dataDir, boolean deleteOnClose, KafkaRaftServer server) {
        this.port = port;
        this.internalPort = internalPort;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.server = server;
    }

    /** A broker on a random free port with a temporary data directory (deleted on close). */
    public static EmbeddedBroker start() {
        return start(0, null);
    }

    /**
     * Formats the storage (unless already formatted: a restart keeps its data), starts the node
     * and returns once the broker answers metadata requests.
     *
     * @param port    client port; 0 picks a free one
     * @param dataDir log directory; null for a temporary one deleted on close
     */
    public static EmbeddedBroker start(int port, Path dataDir) {
        return start(port, dataDir, null);
    }

    /**
     * As {@link #start(int, Path)}, reachable from other hosts: clients connect on every interface and
     * are told to come back to {@code advertisedHost} (null: loopback only, as {@link #start(int, Path)}).
     * The controller stays on loopback. For a development broker in a cluster (k8s/overlays/dev).
     */
    public static EmbeddedBroker startReachable(int port, Path dataDir, String advertisedHost) {
        return start(port, dataDir, null, advertisedHost);
    }

    /**
     * As {@link #start(int, Path)}; with security, clients connect over SASL_SSL with the given
     * users (see {@link Security}).
     */
    public static EmbeddedBroker start(int port, Path dataDir, Security security) {
        return start(port, dataDir, security, null);
    }

    private static EmbeddedBroker start(int port, Path dataDir, Security security, String advertisedHost) {
        boolean temp = dataDir == null;
        try {
            Path dir = temp ? Files.createTempDirectory("lookout-kafka-") : Files.createDirectories(dataDir);
            int[] free = freePorts(3, port); // distinct: two separate probes can be handed the same port
            int clientPort = port == 0 ? free[0] : port;
            int controllerPort = free[1];
            int internalPort = security == null ? clientPort : free[2];
            Properties props = config(clientPort, controllerPort, dir);
            if (security != null) {
                secure(props, clientPort, internalPort, controllerPort, security);
            } else if (advertisedHost != null) {
                props.put("listeners", "PLAINTEXT://0.0.0.0:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
                props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + clientPort);
            }
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(config, dir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            EmbeddedBroker broker = new EmbeddedBroker(clientPort, internalPort, dir, temp, server);
            try {
                server.startup();
                broker.awaitReady(Duration.ofSeconds(60));
                if (security != null) {
                    broker.createUsers(security.users());
                }
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's data directory", e);
        }
    }

    static Properties config(int clientPort, int controllerPort, Path dir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // frames are images: allow records up to 16 MiB (topics may lower it)
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024 + 4096));
        p.put("replica.fetch.max.bytes", String.valueOf(16 * 1024 * 1024 + 4096));
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.retention.hours", "24");
        return p;
    }

    /** The client port becomes SASL_SSL (SCRAM-SHA-512); the broker's own traffic stays on a loopback PLAINTEXT port. */
    static void secure(Properties p, int clientPort, int internalPort, int controllerPort, Security security) {
        p.put("listeners", "INTERNAL://localhost:" + internalPort + ",EXTERNAL://localhost:" + clientPort
                + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "INTERNAL://localhost:" + internalPort + ",EXTERNAL://localhost:" + clientPort);
        p.put("listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put("listener.name.external.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("listener.name.external.ssl.keystore.location", security.keystore().toAbsolutePath().toString());
        p.put("listener.name.external.ssl.keystore.password", security.password());
        p.put("listener.name.external.ssl.key.password", security.password());
        p.put("listener.name.external.ssl.keystore.type", "PKCS12");
        if (!security.superUsers().isEmpty()) {
            // KRaft's own authorizer. The controller and the internal listener are PLAINTEXT loopback
            // ports whose principal is ANONYMOUS: the node's own traffic (broker to controller, start-up
            // checks, creating users) runs as a super user there; clients only reach the SASL_SSL port.
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            List<String> supers = new ArrayList<>();
            supers.add("User:ANONYMOUS");
            security.superUsers().forEach(u -> supers.add("User:" + u));
            p.put("super.users", String.join(";", supers));
            p.put("allow.everyone.if.no.acl.found", "false");
        }
    }

    /** SCRAM credentials live in the KRaft metadata: created through the Admin API on the internal listener. */
    private void createUsers(Map<String, String> users) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + internalPort);
        try (Admin admin = Admin.create(p)) {
            List<UserScramCredentialAlteration> alterations = new ArrayList<>();
            users.forEach((user, password) -> alterations.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
            admin.alterUserScramCredentials(alterations).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the broker's SCRAM users: " + e.getMessage(), e);
        }
    }

    private static void format(KafkaConfig config, Path dir) throws IOException {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return; // keep a formatted directory and its data across restarts
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setIgnoreFormatted(true)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(dir.toAbsolutePath().toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + internalPort);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker on port " + port + " not ready after " + timeout, e);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    /** A port nobody listens on right now (loopback). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** n ports nobody listens on right now, all different from each other and from {@code taken}. */
    static int[] freePorts(int n, int taken) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; ) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                open.add(s); // held open until all are chosen, so the system cannot hand one out twice
                if (s.getLocalPort() != taken) {
                    ports[i++] = s.getLocalPort();
                }
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    public int port() {
        return port;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        LOG.infof("stopping broker on port %d", port);
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warnf("broker shutdown: %s", e.toString());
        }
        if (deleteOnClose) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                LOG.debugf("could not delete %s: %s", dataDir, e);
            }
        }
    }
}
