package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The README's option table is the spec's, and every sample configuration (the README's and the
 * files in config/) is one the plugin takes: only declared keys, values of the right type, and a
 * mapping without mistakes. A key added, renamed or re-described fails here until the README says so.
 */
class ReadmeTest {

    static final Path README = Path.of("README.md");
    static final String MARK = "# config/plugins/erp.yml";

    /** The table as the README must have it; also written to target/options-table.md. */
    static String optionsTable() {
        StringBuilder b = new StringBuilder("| key | type | default | required | secret | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigKey k : ErpConfig.SPEC.keys()) {
            String required = k.isRequired() ? "yes"
                    : ErpConfig.REQUIRED_WITH.containsKey(k.name()) ? "with " + ErpConfig.REQUIRED_WITH.get(k.name()) : "no";
            String allowed = k.allowedValues().isEmpty() ? "" : " (" + String.join(", ", k.allowedValues()) + ")";
            b.append("| `").append(k.name()).append("` | ").append(k.type()).append(allowed).append(" | ")
                    .append(k.defaultValue() == null ? "" : "`" + k.defaultValue().toString().replace("|", "\\|") + "`")
                    .append(" | ").append(required).append(" | ").append(k.isSecret() ? "yes" : "no").append(" | ")
                    .append(k.description().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        // Lines starting with # inside code blocks are comments, not headings
        List<String> outside = new ArrayList<>();
        boolean code = false;
        for (String l : Files.readAllLines(README)) {
            if (l.startsWith("```")) {
                code = !code;
            } else if (!code && l.startsWith("#")) {
                outside.add(l);
            }
        }
        assertThat(outside).containsExactly("# erp", "## What it does", "## Options", "## Example route", "## Testing");
    }

    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = optionsTable();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "options-table.md"), table);
        assertThat(Files.readString(README)).contains(table);
    }

    /** The yaml blocks of the README that are plugin configurations (they start with {@link #MARK}). */
    static List<String> readmeConfigs() throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        while (m.find()) {
            if (m.group(1).startsWith(MARK)) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static List<Path> sampleFiles() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("config"))) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @Test
    void everySampleConfigurationIsOneThePluginTakes() throws Exception {
        Map<String, String> samples = new LinkedHashMap<>();
        int i = 0;
        for (String yaml : readmeConfigs()) {
            samples.put("README block " + ++i, yaml);
        }
        for (Path p : sampleFiles()) {
            samples.put(p.toString(), Files.readString(p));
        }
        assertThat(readmeConfigs()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(sampleFiles()).hasSizeGreaterThanOrEqualTo(4);
        samples.forEach((name, yaml) -> {
            Map<String, Object> flat = new LinkedHashMap<>();
            flatten("", (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(yaml), flat);
            ConfigSpec.Validation v = ErpConfig.SPEC.validate(flat);
            assertThat(v.problems()).as(name).isEmpty();
            List<ConfigProblem> problems = new ArrayList<>();
            if (!v.config().getList(ErpConfig.SOURCES).isEmpty()) {
                assertThat(Mapping.compile(ErpConfig.mappingSettings(v.config()), problems)).as(name).isNotNull();
                assertThat(problems).as(name).isEmpty();
            }
        });
    }

    @Test
    void theReadmesSampleFilesAreTheOnesInConfig() throws Exception {
        String readme = Files.readString(README);
        for (Path p : sampleFiles()) {
            assertThat(readme).as(p.toString()).contains(Files.readString(p));
        }
    }

    /** Nested maps are flattened with dots, as the hub reads config/plugins/<id>.yml. */
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
