package lookout.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.registry.ModelManifest;
import lookout.registry.ModelRegistry;
import lookout.registry.RegistryState;

/**
 * Optional REST control (disabled by default; bearer-token protected when enabled):
 * {@code POST /api/control} takes the same JSON commands as {@code lookout.control};
 * {@code GET /api/models} lists the registry's versions and the serving one.
 */
@Path("/api")
@ApplicationScoped
public class ControlResource {
    @ConfigProperty(name = "lookout.rest.enabled", defaultValue = "false")
    boolean enabled;
    @ConfigProperty(name = "lookout.rest.token")
    Optional<String> token;
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrap;

    private KafkaProducer<String, byte[]> producer;

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = KafkaClients.producer(bootstrap, "lookout-rest-control");
        }
        return producer;
    }

    private ControlGateway gateway() {
        return new ControlGateway(enabled, token.orElse(""), body -> {
            try {
                producer().send(new ProducerRecord<>(Topics.CONTROL, null, body)).get();
            } catch (Exception e) {
                throw new IllegalStateException("cannot send to " + Topics.CONTROL + ": " + e.getMessage(), e);
            }
        });
    }

    @POST
    @Path("/control")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response control(@HeaderParam("Authorization") String authorization, byte[] body) {
        ControlGateway.Reply reply = gateway().submit(authorization, body);
        return Response.status(reply.status()).entity(reply.body()).build();
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public Response models(@HeaderParam("Authorization") String authorization) {
        ControlGateway.Reply refused = gateway().authorize(authorization);
        if (refused != null) {
            return Response.status(refused.status()).entity(refused.body()).build();
        }
        RegistryState state = ModelRegistry.snapshot(bootstrap, Duration.ofSeconds(30));
        List<Map<String, Object>> versions = new ArrayList<>();
        for (ModelManifest m : state.versions()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", m.version());
            v.put("sha256", m.sha256());
            v.put("size", m.size());
            v.put("publishedAt", m.publishedAt());
            v.put("parent", m.meta() == null ? null : m.meta().parent());
            v.put("metrics", m.meta() == null ? null : m.meta().metrics());
            versions.add(v);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("versions", versions);
        out.put("serving", state.serving());
        return Response.ok(out).build();
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
