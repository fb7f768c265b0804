package io.atrium.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.atrium.server.audit.AuditLog;
import io.atrium.server.broker.BrokerStatus;
import io.atrium.server.plugin.PluginHost;
import io.atrium.server.plugin.PluginView;
import io.atrium.server.routes.RouteFiles;
import io.atrium.server.routes.RouteView;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** The admin API of the hub itself: plugins, routes, queues and the audit log. */
@RestController
@RequestMapping("/api/v1")
public class AdminController {

    private final PluginHost plugins;
    private final RouteFiles routes;
    private final BrokerStatus broker;
    private final AuditLog audit;

    public AdminController(PluginHost plugins, RouteFiles routes, BrokerStatus broker, AuditLog audit) {
        this.plugins = plugins;
        this.routes = routes;
        this.broker = broker;
        this.audit = audit;
    }

    @GetMapping("/plugins")
    public List<PluginView> plugins() {
        return plugins.list();
    }

    @GetMapping("/plugins/{id}")
    public PluginView plugin(@PathVariable String id) {
        return plugins.get(id).orElseThrow(() -> ApiException.notFound("no plugin with id '" + id + "'"));
    }

    /** Upload as multipart (part {@code file}). */
    @PostMapping(path = "/plugins", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<PluginView> uploadMultipart(@RequestParam("file") MultipartFile file, Principal who) throws IOException {
        try (InputStream in = file.getInputStream()) {
            return installed(plugins.install(in, file.getOriginalFilename()), who);
        }
    }

    /** Upload as the raw body ({@code application/zip} or {@code application/octet-stream}); {@code ?filename=x.jar} for a jar. */
    @PostMapping(path = "/plugins", consumes = {"application/zip", MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/java-archive"})
    public ResponseEntity<PluginView> uploadRaw(HttpServletRequest request,
                                                @RequestParam(name = "filename", required = false) String filename,
                                                Principal who) throws IOException {
        try (InputStream in = request.getInputStream()) {
            return installed(plugins.install(in, filename), who);
        }
    }

    private ResponseEntity<PluginView> installed(PluginView view, Principal who) {
        audit.record(who.getName(), "plugin.upload", view.id(), Map.of("version", String.valueOf(view.version()),
                "file", view.file(), "state", view.state().name()));
        return ResponseEntity.status(HttpStatus.CREATED).body(view);
    }

    @DeleteMapping("/plugins/{id}")
    public ResponseEntity<Void> deletePlugin(@PathVariable String id, Principal who) throws IOException {
        if (!plugins.delete(id)) {
            throw ApiException.notFound("no plugin with id '" + id + "'");
        }
        audit.record(who.getName(), "plugin.delete", id, Map.of());
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/routes")
    public List<RouteView> routes() {
        return routes.list();
    }

    @GetMapping("/queues")
    public List<BrokerStatus.QueueInfo> queues() {
        return broker.queues();
    }

    @GetMapping("/audit")
    public List<AuditLog.Entry> audit(@RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "limit", "message", "must be between 1 and 1000"));
        }
        return audit.recent(limit);
    }
}
