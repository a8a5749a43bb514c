package lookout.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.quarkus.security.identity.SecurityIdentity;
import lookout.auth.Role;
import lookout.config.LookoutConfig;
import lookout.config.ModelsSettings;
import lookout.config.RestSettings;
import lookout.control.ControlGateway;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ModelManifest;
import lookout.registry.RegistryState;
import lookout.trust.SigningKeys;

/**
 * Optional REST control beside the detector (disabled by default): {@code POST /api/control} takes
 * the same JSON commands as {@code lookout.control} and forwards them with the caller's name in
 * {@code "by"}; {@code GET /api/models} lists the registry's versions and the serving one. Callers are
 * the HTTP login's users with role operator (basic credentials or a session).
 */
@Path("/api")
@ApplicationScoped
@RolesAllowed(Role.OPERATOR_NAME)
public class ControlResource {
    @Inject
    ServiceRuntime runtime;
    @Inject
    SecurityIdentity identity;
    private KafkaProducer<String, byte[]> producer;
    private KafkaModelRegistry registry;

    /** The Kafka the detector runs against (serve's --bootstrap-servers, the demo's embedded broker), else the configured one. */
    private KafkaClients clients() {
        KafkaClients running = runtime == null ? null : runtime.clients();
        return running != null ? running : new KafkaClients(LookoutConfig.current().kafka());
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = clients().producer("lookout-rest-control");
        }
        return producer;
    }

    private synchronized KafkaModelRegistry registry() {
        if (registry == null) {
            ModelsSettings models = LookoutConfig.current().models();
            registry = new KafkaModelRegistry(clients(), "lookout-rest", models.chunkBytes(), null,
                    SigningKeys.trusted(models));
        }
        return registry;
    }

    private ControlGateway gateway() {
        RestSettings rest = LookoutConfig.current().rest();
        return new ControlGateway(rest.enabled(), body -> {
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
    public Response control(byte[] body) {
        ControlGateway.Reply reply = gateway().submit(identity.getPrincipal().getName(), body);
        return Response.status(reply.status()).entity(reply.body()).build();
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    public Response models() {
        ControlGateway.Reply refused = gateway().refusal();
        if (refused != null) {
            return Response.status(refused.status()).entity(refused.body()).build();
        }
        RegistryState state = registry().snapshot();
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
        out.put("cameraServing", state.cameraServing()); // cameras with a model of their own
        return Response.ok(out).build();
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (registry != null) {
            registry.close();
        }
    }
}
