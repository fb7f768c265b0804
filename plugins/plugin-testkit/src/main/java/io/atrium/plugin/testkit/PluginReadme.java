package io.atrium.plugin.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;

/**
 * A plugin's README.md (in the module's folder, where Maven runs its tests), read the way a plugin's
 * README test checks it against the plugin: its headings, the option table its {@link ConfigSpec}
 * makes, and its sample configurations. It asserts nothing itself; the test says what must hold.
 *
 * <pre>{@code
 * PluginReadme readme = PluginReadme.read();
 * assertThat(readme.headings()).containsExactly("# sms", "## What it does", "## Options", "## Example route", "## Testing");
 * assertThat(readme.text()).contains(PluginReadme.writeOptionsTable(SmsConfig.SPEC, SmsConfig.REQUIRED_IN_MODE, "in %s mode"));
 * for (String yaml : readme.yamlBlocks("# config/plugins/sms.yml")) { ... }
 * }</pre>
 */
public final class PluginReadme {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);

    private final String text;

    private PluginReadme(String text) {
        this.text = text;
    }

    /** The module's README.md. */
    public static PluginReadme read() throws IOException {
        return read(Path.of("README.md"));
    }

    public static PluginReadme read(Path file) throws IOException {
        return new PluginReadme(Files.readString(file));
    }

    public String text() {
        return text;
    }

    /** The Markdown headings, in order; lines starting with # inside ``` blocks are comments, not headings. */
    public List<String> headings() {
        List<String> out = new ArrayList<>();
        boolean code = false;
        for (String l : text.lines().toList()) {
            if (l.startsWith("```")) {
                code = !code;
            } else if (!code && l.matches("#+ .*")) {
                out.add(l);
            }
        }
        return out;
    }

    /** The ```yaml blocks whose first line starts with {@code firstLine} (e.g. "# config/plugins/crm.yml"), that line included. */
    public List<String> yamlBlocks(String firstLine) {
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).startsWith(firstLine)) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /**
     * The option table as the README must have it, one row per key of {@code spec} in its order:
     * key, type (with its allowed values), default, required, secret, description; a key that is
     * required only sometimes says when in the required column, {@code when} formatted with its
     * entry of {@code requiredWhen} (e.g. "in %s mode"). A | in a default or description is escaped,
     * and &lt; and &gt; in a description are HTML entities, so the table renders as one. Also written
     * to target/options-table.md, to paste into the README.
     */
    public static String writeOptionsTable(ConfigSpec spec, Map<String, String> requiredWhen, String when) throws IOException {
        StringBuilder b = new StringBuilder("| key | type | default | required | secret | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigKey k : spec.keys()) {
            String required = k.isRequired() ? "yes"
                    : requiredWhen.containsKey(k.name()) ? when.formatted(requiredWhen.get(k.name())) : "no";
            String allowed = k.allowedValues().isEmpty() ? "" : " (" + String.join(", ", k.allowedValues()) + ")";
            b.append("| `").append(k.name()).append("` | ").append(k.type()).append(allowed).append(" | ")
                    .append(k.defaultValue() == null ? "" : "`" + cell(k.defaultValue().toString()) + "`").append(" | ")
                    .append(required).append(" | ").append(k.isSecret() ? "yes" : "no").append(" | ")
                    .append(cell(k.description()).replace("<", "&lt;").replace(">", "&gt;")).append(" |\n");
        }
        String table = b.toString();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "options-table.md"), table);
        return table;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
