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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
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

    /**
     * Replaces the plugin's configuration: validated against its spec and its own checks; a 400
     * {@code invalid_config} names every bad key and writes nothing; otherwise the file is written
     * atomically and the plugin restarted with it.
     */
    @PutMapping(path = "/plugins/{id}/config", consumes = MediaType.APPLICATION_JSON_VALUE)
    public PluginView saveConfig(@PathVariable String id, @RequestBody Map<String, Object> config, Principal who) throws IOException {
        PluginHost.ConfigSave saved = configCall(id, () -> plugins.saveConfig(id, config));
        if (!saved.check().isValid()) {
            throw invalidConfig(id, saved.check());
        }
        audit.record(who.getName(), "plugin.config", id, Map.of("changedKeys", saved.check().changedKeys(),
                "state", saved.plugin().state().name()));
        return saved.plugin();
    }

    /** Checks a configuration as {@code PUT .../config} would, without saving anything. */
    @PostMapping(path = "/plugins/{id}/config/validate", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> validateConfig(@PathVariable String id, @RequestBody Map<String, Object> config) throws IOException {
        PluginHost.ConfigCheck check = configCall(id, () -> plugins.checkConfig(id, config));
        return Map.of("valid", check.isValid(), "problems", problems(check));
    }

    @PostMapping("/plugins/{id}/disable")
    public PluginView disable(@PathVariable String id, Principal who) throws IOException {
        PluginView view = plugins.disable(id, who.getName()).orElseThrow(() -> noPlugin(id));
        audit.record(who.getName(), "plugin.disable", id, Map.of("state", view.state().name()));
        return view;
    }

    @PostMapping("/plugins/{id}/enable")
    public PluginView enable(@PathVariable String id, Principal who) throws IOException {
        PluginView view = plugins.enable(id, who.getName()).orElseThrow(() -> noPlugin(id));
        audit.record(who.getName(), "plugin.enable", id, Map.of("state", view.state().name()));
        return view;
    }

    private interface ConfigCall<T> {
        java.util.Optional<T> call() throws IOException;
    }

    private static <T> T configCall(String id, ConfigCall<T> call) throws IOException {
        try {
            return call.call().orElseThrow(() -> noPlugin(id));
        } catch (PluginHost.SpecUnknownException e) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", e.getMessage());
        }
    }

    private static ApiException noPlugin(String id) {
        return ApiException.notFound("no plugin with id '" + id + "'");
    }

    private static List<Map<String, String>> problems(PluginHost.ConfigCheck check) {
        return check.problems().stream().map(p -> Map.of("key", p.key() == null ? "" : p.key(), "message", p.message())).toList();
    }

    private static ApiException invalidConfig(String id, PluginHost.ConfigCheck check) {
        List<Map<String, String>> problems = problems(check);
        String message = "the configuration of plugin '" + id + "' has " + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + "; nothing was saved";
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_config", Map.of("message", message, "problems", problems));
    }

    @GetMapping("/routes")
    public List<RouteView> routes() {
        return routes.list();
    }

    /** The YAML text of a file in routes/, as it is on disk (also when it failed to load). */
    @GetMapping("/routes/files/{file}")
    public ResponseEntity<String> routeFile(@PathVariable String file) throws IOException {
        java.util.Optional<String> text;
        try {
            text = routes.text(file);
        } catch (IllegalArgumentException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "file", "message", e.getMessage()));
        }
        return ResponseEntity.ok().contentType(new MediaType("application", "yaml", java.nio.charset.StandardCharsets.UTF_8))
                .body(text.orElseThrow(() -> ApiException.notFound("no route file '" + file + "' in routes/")));
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
