package io.atrium.server.plugin;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.server.config.AtriumProperties;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Plugin configuration lives in {@code config/plugins/<plugin-id>.yml}: one YAML map of keys to
 * values (nested maps are flattened with dots). A string value may use {@code ${ENV_VAR}} or
 * {@code ${ENV_VAR:default}} so that secrets stay in the environment, not in the file.
 */
@Component
public class PluginConfigStore {

    private final AtriumProperties properties;
    private final Environment environment;

    public PluginConfigStore(AtriumProperties properties, Environment environment) {
        this.properties = properties;
        this.environment = environment;
    }

    /** What was read: the raw values, anything wrong with the file itself, and a fingerprint to notice edits. */
    public record Loaded(Path file, Map<String, Object> values, List<ConfigProblem> problems, String fingerprint) {
    }

    public Path fileFor(String pluginId) {
        return properties.pluginConfigDir().resolve(pluginId + ".yml");
    }

    public String fingerprint(String pluginId) {
        Path file = fileFor(pluginId);
        try {
            return Files.exists(file) ? Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis() : "absent";
        } catch (IOException e) {
            return "unreadable";
        }
    }

    public Loaded load(String pluginId) {
        Loaded raw = loadRaw(pluginId);
        List<ConfigProblem> problems = new ArrayList<>(raw.problems());
        Map<String, Object> values = resolve(raw.values(), problems);
        return new Loaded(raw.file(), values, problems, raw.fingerprint());
    }

    /** The file as written: keys flattened, {@code ${...}} placeholders left as they are. */
    public Loaded loadRaw(String pluginId) {
        Path file = fileFor(pluginId);
        String fingerprint = fingerprint(pluginId);
        Map<String, Object> values = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Loaded(file, values, problems, fingerprint);
        }
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            problems.add(new ConfigProblem("", file.getFileName() + " line " + line + ": " + e.getProblem()));
            return new Loaded(file, values, problems, fingerprint);
        } catch (IOException | RuntimeException e) {
            problems.add(new ConfigProblem("", "cannot read " + file.getFileName() + ": " + e.getMessage()));
            return new Loaded(file, values, problems, fingerprint);
        }
        if (root == null) {
            return new Loaded(file, values, problems, fingerprint);
        }
        if (!(root instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("", file.getFileName() + " must be a map of keys to values"));
            return new Loaded(file, values, problems, fingerprint);
        }
        flatten("", map, values);
        return new Loaded(file, values, problems, fingerprint);
    }

    /**
     * Resolves {@code ${ENV_VAR}} and {@code ${ENV_VAR:default}} in string values; a variable that
     * is not set is a problem of its key (and the key is left out).
     */
    public Map<String, Object> resolve(Map<String, Object> raw, List<ConfigProblem> problems) {
        Map<String, Object> values = new LinkedHashMap<>(raw);
        values.replaceAll((key, value) -> {
            if (value instanceof String s && s.contains("${")) {
                try {
                    return environment.resolveRequiredPlaceholders(s);
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(key, "key '" + key + "' refers to a variable that is not set ("
                            + e.getMessage() + "); set it in the environment or give a default as ${NAME:value}"));
                    return null;
                }
            }
            return value;
        });
        values.values().removeIf(v -> v == null);
        return values;
    }

    /**
     * Writes {@code config/plugins/<plugin-id>.yml} as one YAML map, atomically: a temporary file
     * in the same folder moved over the old one, so the plugin host never reads half a file.
     */
    public void write(String pluginId, Map<String, Object> values) throws IOException {
        Path file = fileFor(pluginId);
        Files.createDirectories(file.getParent());
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        String text = "# Written by the Atrium admin API (PUT /api/v1/plugins/" + pluginId + "/config).\n"
                + (values.isEmpty() ? "" : new Yaml(options).dump(new LinkedHashMap<>(values)));
        Path temp = Files.createTempFile(file.getParent(), "." + pluginId + "-", ".yml.tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else {
                out.put(key, v);
            }
        });
    }
}
