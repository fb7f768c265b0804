package io.atrium.server.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.server.camel.OwnedRoutes;
import io.atrium.server.config.AtriumProperties;
import io.atrium.server.support.PeriodicTask;
import io.atrium.server.config.DataDirectory;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.intake.EventValidator;

import org.apache.camel.CamelContext;
import org.pf4j.CompoundPluginDescriptorFinder;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginWrapper;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Loads the connector plugins found in {@code plugins/} and keeps them in step with the folder:
 * a zip dropped in is started, one removed is stopped and unloaded, a changed one (or a newer
 * version of the same plugin) replaces the running one, and an edit of
 * {@code config/plugins/<id>.yml} restarts that plugin. A plugin that cannot be read, configured
 * or started is DISABLED with its reason; nothing else is affected.
 */
@Component
public class PluginHost {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);
    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final AtriumProperties properties;
    private final CamelContext camel;
    private final OwnedRoutes routes;
    private final EventIntake intake;
    private final EventValidator validator;
    private final com.fasterxml.jackson.databind.ObjectMapper mapper;
    private final ChannelRegistry channels;
    private final io.atrium.server.config.PublicUrl publicUrl;
    private final PluginConfigStore configStore;
    private final PluginStateStore stateStore;
    private final ClusterLeases leases;
    private final Path legacyDisabledFile;
    private final ApplicationEventPublisher events;
    private final Path workRoot;
    private final Path pluginDataRoot;
    private final AtriumPluginManager pf4j;
    private final PluginDescriptorFinder descriptorFinder = new CompoundPluginDescriptorFinder()
            .add(new PropertiesPluginDescriptorFinder())
            .add(new ManifestPluginDescriptorFinder());

    /** One per file in plugins/. */
    private final Map<Path, Installed> installed = new LinkedHashMap<>();
    /** Files seen once with this fingerprint, waiting for a second look to be sure the copy finished. */
    private final Map<Path, String> settling = new LinkedHashMap<>();
    /** Component schemes taken away during the current scan, for routes that may depend on them. */
    private final Set<String> removedSchemes = new HashSet<>();
    /** Plugin ids an admin disabled through the API, kept in PostgreSQL for every node. */
    private final DisabledPlugins adminDisabled;
    private ScheduledExecutorService scanner;
    private volatile boolean closed;

    public PluginHost(AtriumProperties properties, DataDirectory data, CamelContext camel, OwnedRoutes routes,
                      EventIntake intake, EventValidator validator, com.fasterxml.jackson.databind.ObjectMapper mapper,
                      ChannelRegistry channels, PluginConfigStore configStore, ApplicationEventPublisher events,
                      io.atrium.server.config.PublicUrl publicUrl, PluginStateStore stateStore, ClusterLeases leases,
                      org.springframework.jdbc.core.JdbcTemplate jdbc) {
        this.publicUrl = publicUrl;
        this.properties = properties;
        this.camel = camel;
        this.routes = routes;
        this.intake = intake;
        this.validator = validator;
        this.mapper = mapper;
        this.channels = channels;
        this.configStore = configStore;
        this.events = events;
        this.workRoot = data.root().resolve("plugins-work");
        this.pluginDataRoot = data.dir("plugin-data");
        this.stateStore = stateStore;
        this.leases = leases;
        this.adminDisabled = new DisabledPlugins(jdbc);
        this.legacyDisabledFile = data.root().resolve(DisabledPlugins.LEGACY_FILE);
        deleteTree(workRoot);
        try {
            Files.createDirectories(workRoot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.pf4j = new AtriumPluginManager(workRoot);
        String version = PluginHost.class.getPackage().getImplementationVersion();
        pf4j.setSystemVersion(version == null ? "0.0.0" : version.replace("-SNAPSHOT", ""));
    }

    private static final class AtriumPluginManager extends DefaultPluginManager {
        AtriumPluginManager(Path root) {
            super(root);
        }
    }

    /** A plugin file and what became of it. */
    private static final class Installed {
        final Path file;
        final String fingerprint;
        final Instant modified;
        Path workPath;
        PluginDescriptor descriptor;
        String id;
        PluginState state = PluginState.LOADING;
        String error;
        Instant since = Instant.now();
        /** The configuration fingerprint this plugin was last started (or refused) with. */
        String attemptedConfig;
        List<Connector> connectors = List.of();
        HostConnectorContext context;
        ConfigSpec spec = ConfigSpec.empty();
        /** Whether {@link #spec} was read from the plugin's connectors (false until its classes loaded once). */
        boolean specKnown;
        /** Whether reading the spec of a plugin that does not run was tried already. */
        boolean specTried;
        Map<String, Object> maskedConfig = Map.of();

        Installed(Path file, String fingerprint, Instant modified) {
            this.file = file;
            this.fingerprint = fingerprint;
            this.modified = modified;
        }

        String version() {
            return descriptor == null ? null : descriptor.getVersion();
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    @org.springframework.core.annotation.Order(0)
    public void startWatching() {
        try {
            Files.createDirectories(properties.pluginsDir());
        } catch (IOException e) {
            log.error("Cannot create plugins directory {}: {}", properties.pluginsDir(), e.getMessage());
        }
        log.info("Loading plugins from {}", properties.pluginsDir().toAbsolutePath().normalize());
        synchronized (this) {
            adminDisabled.importLegacyFile(legacyDisabledFile, mapper);
        }
        scan(true);
        scanner = PeriodicTask.every(properties.getPlugins().getScanInterval(), "atrium-plugin-scanner", log, () -> scan(false));
    }

    /** Stops every plugin before Camel and the broker go down. */
    @EventListener(ContextClosedEvent.class)
    public synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        if (scanner != null) {
            scanner.shutdownNow();
        }
        for (Installed p : new ArrayList<>(installed.values())) {
            unload(p);
        }
        installed.clear();
        deleteTree(workRoot);
    }

    // ---------------------------------------------------------------- scanning

    /**
     * Brings the running plugins in step with the folder. With {@code settled} every file is
     * taken as complete; otherwise a new or changed file is taken only once two scans in a row
     * saw it unchanged.
     */
    public synchronized void scan(boolean settled) {
        if (closed) {
            return;
        }
        boolean changed = adminDisabled.refresh();
        Map<Path, FileInfo> present = listPluginFiles();
        for (Installed p : new ArrayList<>(installed.values())) {
            if (!present.containsKey(p.file)) {
                log.info("Plugin file {} removed", p.file.getFileName());
                unload(p);
                installed.remove(p.file);
                changed = true;
            }
        }
        settling.keySet().retainAll(present.keySet());
        for (Map.Entry<Path, FileInfo> entry : present.entrySet()) {
            Path file = entry.getKey();
            FileInfo info = entry.getValue();
            Installed current = installed.get(file);
            if (current != null && current.fingerprint.equals(info.fingerprint)) {
                continue;
            }
            if (!settled && !info.fingerprint.equals(settling.get(file))) {
                settling.put(file, info.fingerprint);
                continue;
            }
            settling.remove(file);
            if (current != null) {
                log.info("Plugin file {} changed", file.getFileName());
                unload(current);
                installed.remove(file);
            }
            installed.put(file, inspect(file, info));
            changed = true;
        }
        changed |= reconcile();
        published(changed);
    }

    private void published(boolean changed) {
        if (changed) {
            Set<String> removed = Set.copyOf(removedSchemes);
            removedSchemes.clear();
            events.publishEvent(new PluginsChangedEvent(this, removed));
        }
    }

    /** Per plugin id, runs the newest version and keeps the others stopped. Returns whether anything changed. */
    private boolean reconcile() {
        boolean changed = false;
        Map<String, List<Installed>> byId = installed.values().stream().filter(p -> p.id != null)
                .collect(Collectors.groupingBy(p -> p.id, LinkedHashMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Installed>> group : byId.entrySet()) {
            List<Installed> candidates = new ArrayList<>(group.getValue());
            candidates.sort(Comparator.<Installed, String>comparing(Installed::version, (a, b) -> pf4j.getVersionManager().compareVersions(a, b))
                    .thenComparing(p -> p.modified).reversed());
            Installed winner = candidates.get(0);
            for (Installed loser : candidates.subList(1, candidates.size())) {
                String reason = "superseded by " + winner.file.getFileName() + " (version " + winner.version() + ")";
                if (loser.state == PluginState.STARTED || !reason.equals(loser.error)) {
                    unload(loser);
                    loser.state = PluginState.DISABLED;
                    loser.error = reason;
                    loser.since = Instant.now();
                    changed = true;
                }
            }
            Optional<DisabledPlugins.Entry> off = adminDisabled.get(winner.id);
            if (off.isPresent()) {
                String reason = off.get().reason();
                if (winner.state == PluginState.STARTED) {
                    log.info("Plugin '{}' disabled through the API; stopping it", winner.id);
                    unload(winner);
                    changed = true;
                }
                if (winner.state != PluginState.DISABLED || !reason.equals(winner.error)) {
                    winner.state = PluginState.DISABLED;
                    winner.error = reason;
                    winner.since = Instant.now();
                    changed = true;
                }
                if (winner.descriptor != null && !winner.specKnown && !winner.specTried) {
                    readSpec(winner);
                }
                continue;
            }
            String configFingerprint = configStore.fingerprint(winner.id);
            boolean attempted = configFingerprint.equals(winner.attemptedConfig);
            if (winner.descriptor != null && !attempted) {
                if (winner.state == PluginState.STARTED) {
                    log.info("Configuration of plugin '{}' changed; restarting it", winner.id);
                    unload(winner);
                }
                start(winner, configFingerprint);
                changed = true;
            }
        }
        return changed;
    }

    private record FileInfo(String fingerprint, Instant modified) {
    }

    private Map<Path, FileInfo> listPluginFiles() {
        Map<Path, FileInfo> out = new LinkedHashMap<>();
        Path dir = properties.pluginsDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !(name.endsWith(".zip") || name.endsWith(".jar")) || !Files.isRegularFile(p)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(p.toAbsolutePath().normalize(), new FileInfo(a.size() + ":" + a.lastModifiedTime().toMillis(),
                        a.lastModifiedTime().toInstant()));
            }
        } catch (IOException e) {
            log.error("Cannot list plugins directory {}: {}", dir, e.getMessage());
        }
        return out;
    }

    // ---------------------------------------------------------------- one plugin

    /** Unpacks a plugin file into the work area and reads its descriptor; nothing is loaded yet. */
    private Installed inspect(Path file, FileInfo info) {
        Installed p = new Installed(file, info.fingerprint, info.modified);
        try {
            p.workPath = unpack(file, workRoot.resolve(file.getFileName() + "-" + Integer.toHexString(info.fingerprint.hashCode())));
            p.descriptor = readDescriptor(p.workPath);
            p.id = p.descriptor.getPluginId();
        } catch (Exception e) {
            p.id = null;
            p.descriptor = null;
            p.state = PluginState.DISABLED;
            p.error = message(e);
            log.error("Plugin file {} is DISABLED: {}", file.getFileName(), p.error);
        }
        return p;
    }

    private PluginDescriptor readDescriptor(Path workPath) {
        PluginDescriptor d;
        try {
            d = descriptorFinder.find(workPath);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no readable plugin descriptor (plugin.properties or MANIFEST.MF with Plugin-Id): "
                    + message(e), e);
        }
        if (d.getPluginId() == null || d.getPluginId().isBlank()) {
            throw new IllegalArgumentException("plugin descriptor has no plugin.id");
        }
        if (!KEBAB.matcher(d.getPluginId()).matches()) {
            throw new IllegalArgumentException("plugin id '" + d.getPluginId() + "' must be kebab-case (a-z, 0-9 and '-')");
        }
        if (d.getVersion() == null || d.getVersion().isBlank()) {
            throw new IllegalArgumentException("plugin descriptor of '" + d.getPluginId() + "' has no plugin.version");
        }
        return d;
    }

    private void start(Installed p, String configFingerprint) {
        p.attemptedConfig = configFingerprint;
        p.since = Instant.now();
        try {
            String id = pf4j.loadPlugin(p.workPath);
            PluginWrapper wrapper = pf4j.getPlugin(id);
            ClassLoader loader = wrapper.getPluginClassLoader();
            if (pf4j.startPlugin(id) != org.pf4j.PluginState.STARTED) {
                Throwable failure = wrapper.getFailedException();
                throw new IllegalStateException("its Plugin class failed to start: "
                        + (failure == null ? "see the log" : message(failure)), failure);
            }
            List<Connector> connectors = pf4j.getExtensions(Connector.class, id);
            ConfigSpec spec = ConfigSpec.empty();
            for (Connector c : connectors) {
                spec = spec.merge(c.configSpec());
            }
            p.spec = spec;
            p.specKnown = true;
            PluginConfigStore.Loaded raw = configStore.load(id);
            ConfigSpec.Validation validation = spec.validate(raw.values());
            // As written: a ${VAR} or ${VAR:default} placeholder is shown (and saved back) as it is, not resolved.
            p.maskedConfig = spec.mask(configStore.loadRaw(id).values());
            List<ConfigProblem> problems = new ArrayList<>(raw.problems());
            problems.addAll(validation.problems());
            if (validation.isValid()) {
                problems.addAll(connectorProblems(connectors, validation.config(), loader, raw.values(), spec));
            }
            if (!problems.isEmpty()) {
                throw new PluginConfigException("configuration of plugin '" + id + "' (" + relative(raw.file()) + "): "
                        + problems.stream().map(ConfigProblem::message).collect(Collectors.joining("; ")));
            }
            log.info("Plugin '{}' {} configuration: {}", id, p.version(), validation.config().masked());
            Path dataDir = Files.createDirectories(pluginDataRoot.resolve(id));
            p.context = new HostConnectorContext(id, validation.config(), camel, routes,
                    new PluginEventSink(id, intake, validator, mapper), channels, dataDir, loader, publicUrl.get(),
                    stateStore.forPlugin(id), leases);
            List<Connector> started = new ArrayList<>();
            p.connectors = started; // so that a failure below stops the ones already started
            for (Connector c : connectors) {
                startWithTimeout(p.id, c, p.context, loader);
                started.add(c);
            }
            p.state = PluginState.STARTED;
            p.error = null;
            log.info("Plugin '{}' {} STARTED from {} (routes {}, components {}, channels {})", id, p.version(),
                    p.file.getFileName(), p.context.routeIds, p.context.componentSchemes, p.context.channelNames);
        } catch (Throwable e) {
            String reason = scrub(p, message(e));
            unload(p);
            p.attemptedConfig = configFingerprint; // not retried until the file or its configuration changes
            p.state = PluginState.DISABLED;
            p.error = reason;
            if (e instanceof PluginConfigException) {
                log.error("Plugin '{}' is DISABLED: {}", p.id, reason);
            } else {
                log.error("Plugin '{}' is DISABLED: {}", p.id, reason, scrubbed(p, e));
            }
        }
    }

    /**
     * Runs a connector's start on a thread of its own (with the plugin's class loader as context
     * loader), so that a connector that hangs disables its plugin instead of the plugin host.
     */
    private void startWithTimeout(String id, Connector connector, HostConnectorContext context, ClassLoader loader) throws Exception {
        java.time.Duration timeout = properties.getPlugins().getStartTimeout();
        java.util.concurrent.FutureTask<Void> task = new java.util.concurrent.FutureTask<>(() -> {
            connector.start(context);
            return null;
        });
        Thread t = new Thread(task, "atrium-plugin-start-" + id);
        t.setContextClassLoader(loader);
        t.setDaemon(true);
        t.start();
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            t.interrupt();
            throw new IllegalStateException("connector " + connector.getClass().getName() + " did not start within "
                    + timeout.toSeconds() + " s (atrium.plugins.start-timeout)");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
    }

    /** Stops a plugin's connectors, removes what it registered and unloads its classes. Keeps the record. */
    private void unload(Installed p) {
        if (p.context != null) {
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            try {
                if (p.id != null && pf4j.getPlugin(p.id) != null) {
                    Thread.currentThread().setContextClassLoader(pf4j.getPlugin(p.id).getPluginClassLoader());
                }
                for (Connector c : p.connectors) {
                    try {
                        c.stop();
                    } catch (Throwable e) {
                        log.warn("Plugin '{}': connector {} did not stop cleanly: {}", p.id, c.getClass().getName(), scrub(p, message(e)));
                    }
                }
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
            removedSchemes.addAll(p.context.componentSchemes);
            p.context.close();
            p.context = null;
        }
        p.connectors = List.of();
        if (p.id != null && pf4j.getPlugin(p.id) != null && pf4j.getPlugin(p.id).getPluginPath().equals(p.workPath)) {
            try {
                pf4j.stopPlugin(p.id);
            } catch (RuntimeException e) {
                log.warn("Plugin '{}' did not stop cleanly: {}", p.id, message(e));
            }
            try {
                pf4j.unloadPlugin(p.id);
            } catch (RuntimeException e) {
                log.warn("Plugin '{}' did not unload cleanly: {}", p.id, message(e));
            }
        }
        if (p.state == PluginState.STARTED) {
            p.state = PluginState.LOADING;
            p.since = Instant.now();
            log.info("Plugin '{}' {} stopped", p.id, p.version());
        }
        p.attemptedConfig = null;
    }

    // ---------------------------------------------------------------- admin operations

    public synchronized List<PluginView> list() {
        followDisabled();
        return installed.values().stream().map(this::view)
                .sorted(Comparator.comparing(PluginView::id).thenComparing(PluginView::file))
                .toList();
    }

    /** The running or, failing that, the newest record of a plugin id. */
    public synchronized Optional<PluginView> get(String id) {
        followDisabled();
        return installed.values().stream().filter(p -> id.equals(p.id) || p.id == null && id.equals(stem(p.file)))
                .sorted(Comparator.comparing((Installed p) -> p.state != PluginState.STARTED).thenComparing(p -> p.modified, Comparator.reverseOrder()))
                .findFirst().map(this::view);
    }

    /**
     * Installs an uploaded plugin file: checks it is a readable plugin, then moves it into
     * plugins/ as {@code <id>-<version>.zip} (replacing a file of that name) and starts it.
     * A file that is not a plugin is refused and nothing is written to plugins/.
     */
    public PluginView install(InputStream upload, String originalName) throws IOException {
        Path dir = properties.pluginsDir();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".upload-", ".tmp");
        Path probe = workRoot.resolve(".probe-" + temp.getFileName());
        try {
            Files.copy(upload, temp, StandardCopyOption.REPLACE_EXISTING);
            boolean jar = originalName != null && originalName.endsWith(".jar");
            PluginDescriptor d;
            try {
                d = readDescriptor(jar ? copyJar(temp, probe) : unpack(temp, probe));
            } catch (Exception e) {
                throw new InvalidPluginException((originalName == null ? "upload" : originalName) + " is not an Atrium plugin: " + message(e));
            }
            Path target = dir.resolve(d.getPluginId() + "-" + d.getVersion() + (jar ? ".jar" : ".zip"));
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.info("Plugin '{}' {} uploaded as {}", d.getPluginId(), d.getVersion(), target.getFileName());
            scan(true);
            return get(d.getPluginId()).orElseThrow();
        } finally {
            Files.deleteIfExists(temp);
            deleteTree(probe);
        }
    }

    /** Deletes every file of a plugin id from plugins/ and unloads it. Returns false if there is none. */
    public boolean delete(String id) throws IOException {
        List<Path> files;
        synchronized (this) {
            files = installed.values().stream().filter(p -> id.equals(p.id) || p.id == null && id.equals(stem(p.file)))
                    .map(p -> p.file).toList();
        }
        if (files.isEmpty()) {
            return false;
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        synchronized (this) {
            adminDisabled.remove(id);
        }
        scan(true);
        return true;
    }

    // ---------------------------------------------------------------- configuration, enable and disable

    /** The outcome of checking a configuration: every problem, and what would be written. */
    public record ConfigCheck(List<ConfigProblem> problems, Map<String, Object> values, List<String> changedKeys) {
        public boolean isValid() {
            return problems.isEmpty();
        }
    }

    /** The outcome of saving a configuration: refused with its problems, or saved and the plugin restarted. */
    public record ConfigSave(ConfigCheck check, PluginView plugin) {
    }

    /** Thrown when a plugin's classes cannot be loaded, so its configuration spec is not known. */
    public static final class SpecUnknownException extends RuntimeException {
        public SpecUnknownException(String message) {
            super(message);
        }
    }

    /**
     * Checks a configuration for a plugin without saving it: against the declared spec (unknown
     * and missing keys, types, allowed values, placeholders whose variable is not set), then, when
     * that passes, against the connectors' own {@link Connector#validate} checks. A secret sent as
     * {@code ******} stands for the stored value. Empty if there is no plugin of that id.
     */
    public synchronized Optional<ConfigCheck> checkConfig(String id, Map<String, Object> submitted) {
        return winner(id).map(p -> check(p, submitted));
    }

    /**
     * Checks and, if the configuration is valid, writes {@code config/plugins/<id>.yml} atomically
     * and restarts the plugin with it (unless an admin disabled it). Nothing is written when a
     * problem is found.
     */
    public synchronized Optional<ConfigSave> saveConfig(String id, Map<String, Object> submitted) throws IOException {
        Optional<Installed> found = winner(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Installed p = found.get();
        ConfigCheck check = check(p, submitted);
        if (!check.isValid()) {
            return Optional.of(new ConfigSave(check, view(p)));
        }
        configStore.write(id, check.values());
        log.info("Configuration of plugin '{}' saved through the API (changed keys {}); restarting it", id, check.changedKeys());
        for (Installed i : installed.values()) {
            if (id.equals(i.id)) {
                i.attemptedConfig = null;
            }
        }
        published(reconcile());
        return Optional.of(new ConfigSave(check, get(id).orElseThrow()));
    }

    /** Stops a plugin and keeps it stopped, across restarts, until {@link #enable}. Empty if there is no such plugin. */
    public synchronized Optional<PluginView> disable(String id, String actor) throws IOException {
        if (winner(id).isEmpty()) {
            return Optional.empty();
        }
        if (adminDisabled.add(id, actor, Instant.now())) {
            log.info("Plugin '{}' disabled through the API by {}", id, actor);
        }
        published(reconcile());
        return get(id);
    }

    /** Lifts {@link #disable} and starts the plugin with its current configuration. Empty if there is no such plugin. */
    public synchronized Optional<PluginView> enable(String id, String actor) throws IOException {
        if (winner(id).isEmpty()) {
            return Optional.empty();
        }
        if (adminDisabled.remove(id)) {
            log.info("Plugin '{}' enabled through the API by {}", id, actor);
            for (Installed i : installed.values()) {
                if (id.equals(i.id)) {
                    i.attemptedConfig = null;
                    if (i.state == PluginState.DISABLED && i.error != null && i.error.startsWith(DisabledPlugins.PREFIX)) {
                        i.state = PluginState.LOADING;
                        i.error = null;
                    }
                }
            }
        }
        published(reconcile());
        return get(id);
    }

    /** Whether an admin disabled the plugin through the API (on this node or another). */
    public synchronized boolean isDisabledByAdmin(String id) {
        followDisabled();
        return adminDisabled.contains(id);
    }

    /**
     * Reads the admin-disabled plugins again and, when another node disabled or enabled one since
     * the last scan, stops or starts it now, so that the API answers the same on every node.
     */
    private void followDisabled() {
        if (!closed && adminDisabled.refresh()) {
            published(reconcile());
        }
    }

    /** The record of an id that runs or would run: the newest version, as {@link #reconcile} picks it. */
    private Optional<Installed> winner(String id) {
        return installed.values().stream().filter(p -> id.equals(p.id) && p.descriptor != null)
                .max(Comparator.<Installed, String>comparing(Installed::version, (a, b) -> pf4j.getVersionManager().compareVersions(a, b))
                        .thenComparing(p -> p.modified));
    }

    private ConfigCheck check(Installed p, Map<String, Object> submitted) {
        if (!p.specKnown) {
            readSpec(p);
        }
        if (!p.specKnown) {
            throw new SpecUnknownException("the classes of plugin '" + p.id + "' (" + p.file.getFileName()
                    + ") cannot be loaded, so the keys it accepts are not known: " + p.error);
        }
        ConfigSpec spec = p.spec;
        Map<String, Object> stored = configStore.loadRaw(p.id).values();
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : submitted.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            ConfigKey declared = spec.key(key);
            boolean secret = declared != null && declared.isSecret();
            if (value == null) {
                continue; // the same as leaving the key out
            }
            if (value instanceof Map<?, ?>) {
                problems.add(new ConfigProblem(key, "key '" + key + "' must be a text, a number, true or false, or a list, not an object"));
                continue;
            }
            if (value instanceof List<?> list && list.stream().anyMatch(v -> v instanceof Map<?, ?> || v instanceof List<?>)) {
                problems.add(new ConfigProblem(key, "key '" + key + "' must be a list of texts or numbers"));
                continue;
            }
            if (secret && ConfigSpec.MASK.equals(value)) {
                if (!stored.containsKey(key)) {
                    problems.add(new ConfigProblem(key, "key '" + key + "' is a secret with no stored value to keep: enter its value"));
                    continue;
                }
                value = stored.get(key);
            }
            values.put(key, value);
        }
        Map<String, Object> resolved = configStore.resolve(values, problems);
        ConfigSpec.Validation validation = spec.validate(resolved);
        problems.addAll(validation.problems());
        if (problems.isEmpty()) {
            problems.addAll(withClasses(p, (connectors, loader) ->
                    connectorProblems(connectors, validation.config(), loader, resolved, spec)));
        }
        Set<String> changed = new java.util.TreeSet<>();
        for (String k : values.keySet()) {
            if (!java.util.Objects.equals(String.valueOf(values.get(k)), String.valueOf(stored.get(k))) || !stored.containsKey(k)) {
                changed.add(k);
            }
        }
        for (String k : stored.keySet()) {
            if (!values.containsKey(k)) {
                changed.add(k);
            }
        }
        return new ConfigCheck(List.copyOf(problems), values, List.copyOf(changed));
    }

    /** Runs every connector's own checks, in the plugin's class loader, with secret values taken out of what they say. */
    private List<ConfigProblem> connectorProblems(List<Connector> connectors, io.atrium.plugin.api.PluginConfig config,
                                                  ClassLoader loader, Map<String, Object> values, ConfigSpec spec) {
        List<ConfigProblem> out = new ArrayList<>();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            for (Connector c : connectors) {
                try {
                    List<ConfigProblem> found = c.validate(config);
                    if (found != null) {
                        for (ConfigProblem problem : found) {
                            out.add(new ConfigProblem(problem.key() == null ? "" : problem.key(), scrub(problem.message(), values, spec)));
                        }
                    }
                } catch (RuntimeException | LinkageError e) {
                    out.add(new ConfigProblem("", scrub("the plugin's own check of its configuration failed: " + message(e), values, spec)));
                }
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        return out;
    }

    @FunctionalInterface
    private interface WithClasses<T> {
        T apply(List<Connector> connectors, ClassLoader loader);
    }

    /**
     * Calls {@code f} with the plugin's connectors: the running ones, or else ones loaded only for
     * the call (their classes are loaded, nothing is started, and they are unloaded afterwards).
     */
    private <T> T withClasses(Installed p, WithClasses<T> f) {
        if (p.state == PluginState.STARTED && p.context != null && pf4j.getPlugin(p.id) != null) {
            return f.apply(p.connectors, pf4j.getPlugin(p.id).getPluginClassLoader());
        }
        if (pf4j.getPlugin(p.id) != null) {
            throw new IllegalStateException("plugin '" + p.id + "' is loaded from another file");
        }
        String id = pf4j.loadPlugin(p.workPath);
        try {
            pf4j.startPlugin(id);
            return f.apply(pf4j.getExtensions(Connector.class, id), pf4j.getPlugin(id).getPluginClassLoader());
        } finally {
            try {
                pf4j.stopPlugin(id);
                pf4j.unloadPlugin(id);
            } catch (RuntimeException e) {
                log.warn("Plugin '{}' did not unload cleanly after a configuration check: {}", id, message(e));
            }
        }
    }

    /** Reads the configuration spec of a plugin that is not running (for the console's form). */
    private void readSpec(Installed p) {
        p.specTried = true;
        try {
            p.spec = withClasses(p, (connectors, loader) -> {
                ConfigSpec spec = ConfigSpec.empty();
                for (Connector c : connectors) {
                    spec = spec.merge(c.configSpec());
                }
                return spec;
            });
            p.specKnown = true;
            p.maskedConfig = p.spec.mask(configStore.loadRaw(p.id).values());
        } catch (RuntimeException | LinkageError e) {
            log.warn("Plugin '{}': cannot read its configuration spec: {}", p.id, message(e));
        }
    }

    public synchronized Map<PluginState, Long> counts() {
        return installed.values().stream().collect(Collectors.groupingBy(p -> p.state, Collectors.counting()));
    }

    private PluginView view(Installed p) {
        List<Map<String, Object>> spec = new ArrayList<>();
        for (ConfigKey k : p.spec.keys()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", k.name());
            m.put("type", k.type().name());
            m.put("required", k.isRequired());
            m.put("default", k.isSecret() ? null : k.defaultValue());
            m.put("secret", k.isSecret());
            m.put("allowedValues", k.allowedValues());
            m.put("description", k.description());
            spec.add(m);
        }
        HostConnectorContext ctx = p.context;
        DisabledPlugins.Entry off = p.id == null ? null : adminDisabled.get(p.id).orElse(null);
        return new PluginView(p.id != null ? p.id : stem(p.file), p.version(), p.state, p.error,
                p.file.getFileName().toString(),
                p.descriptor == null ? null : p.descriptor.getPluginDescription(),
                p.descriptor == null ? null : p.descriptor.getProvider(), p.since,
                ctx == null ? List.of() : List.copyOf(ctx.routeIds),
                ctx == null ? List.of() : List.copyOf(ctx.componentSchemes),
                ctx == null ? List.of() : List.copyOf(ctx.channelNames),
                p.maskedConfig, spec, off == null, off == null ? null : off.by(), off == null ? null : off.at(),
                configuredPublicUrl());
    }

    // ---------------------------------------------------------------- helpers

    /** {@code atrium.public-url} as {@link io.atrium.server.config.PublicUrl} gives it, or null when it is not set. */
    private String configuredPublicUrl() {
        String configured = properties.getPublicUrl();
        return configured == null || configured.isBlank() ? null : publicUrl.get();
    }

    private String relative(Path file) {
        Path home = properties.getHome().toAbsolutePath().normalize();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(home) ? home.relativize(abs).toString() : abs.toString();
    }

    /** Error texts from a plugin may echo its configuration: take every secret value out. */
    private String scrub(Installed p, String text) {
        if (text == null || p.id == null) {
            return text;
        }
        String out = text;
        Map<String, Object> raw = configStore.load(p.id).values();
        for (ConfigKey key : p.spec.keys()) {
            Object v = raw.get(key.name());
            if (key.isSecret() && v != null && String.valueOf(v).length() >= 3) {
                out = out.replace(String.valueOf(v), ConfigSpec.MASK);
            }
        }
        return out;
    }

    private static String scrub(String text, Map<String, Object> values, ConfigSpec spec) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (ConfigKey key : spec.keys()) {
            Object v = values.get(key.name());
            if (key.isSecret() && v != null && String.valueOf(v).length() >= 3) {
                out = out.replace(String.valueOf(v), ConfigSpec.MASK);
            }
        }
        return out;
    }

    /** The exception for the log, with secret values taken out of every message in its chain. */
    private Throwable scrubbed(Installed p, Throwable e) {
        String msg = scrub(p, e.toString());
        if (msg.equals(e.toString()) && (e.getCause() == null || scrub(p, e.getCause().toString()).equals(e.getCause().toString()))) {
            return e;
        }
        RuntimeException copy = new RuntimeException(msg, e.getCause() == null ? null : scrubbed(p, e.getCause()));
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    static String message(Throwable e) {
        Throwable t = e;
        String best = null;
        Set<Throwable> seen = new HashSet<>();
        while (t != null && seen.add(t)) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t.getMessage();
                if (!(t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() == null) {
                    break;
                }
            }
            t = t.getCause();
        }
        if (best == null) {
            return e.getClass().getSimpleName();
        }
        return e.getMessage() != null && !e.getMessage().equals(best) && !e.getMessage().contains(best)
                ? e.getMessage() + ": " + best : (e.getMessage() != null ? e.getMessage() : best);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static Path copyJar(Path jar, Path target) throws IOException {
        Files.createDirectories(target);
        Path copy = target.resolve("plugin.jar");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy;
    }

    /** Unpacks a zip (refusing entries that would land outside {@code target}); a jar is copied as is. */
    static Path unpack(Path file, Path target) throws IOException {
        deleteTree(target);
        if (file.getFileName().toString().endsWith(".jar")) {
            return copyJar(file, target);
        }
        Files.createDirectories(target);
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry '" + entry.getName() + "' points outside the plugin folder");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
                }
                entries++;
            }
        } catch (IOException e) {
            throw new IOException("not a readable zip file (" + message(e) + ")", e);
        }
        if (entries == 0) {
            throw new IOException("not a zip file, or an empty one");
        }
        return target;
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.debug("Could not delete {}: {}", root, e.getMessage());
        }
    }

    /** Published after a scan changed what runs, so routes that use plugin components can be re-checked. */
    public static final class PluginsChangedEvent extends org.springframework.context.ApplicationEvent {
        private final Set<String> removedSchemes;

        PluginsChangedEvent(Object source, Set<String> removedSchemes) {
            super(source);
            this.removedSchemes = removedSchemes;
        }

        /** Camel component schemes that plugins took away. */
        public Set<String> removedSchemes() {
            return removedSchemes;
        }
    }

    static final class PluginConfigException extends RuntimeException {
        PluginConfigException(String message) {
            super(message);
        }
    }

    /** An uploaded file that is not a plugin: answered with 400, nothing written. */
    public static final class InvalidPluginException extends RuntimeException {
        public InvalidPluginException(String message) {
            super(message);
        }
    }

}
