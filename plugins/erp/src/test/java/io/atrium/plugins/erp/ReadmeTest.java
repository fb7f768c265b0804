package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.testkit.PluginReadme;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The README's option table is the spec's, and every sample configuration (the README's and the
 * files in config/) is one the plugin takes: only declared keys, values of the right type, and a
 * mapping without mistakes. A key added, renamed or re-described fails here until the README says so.
 */
class ReadmeTest {

    static final String MARK = "# config/plugins/erp.yml";

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        assertThat(PluginReadme.read().headings()).containsExactly("# erp", "## What it does", "## Options", "## Example route", "## Testing");
    }

    /** The table as the README must have it (also written to target/options-table.md). */
    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = PluginReadme.writeOptionsTable(ErpConfig.SPEC, ErpConfig.REQUIRED_WITH, "with %s");
        assertThat(PluginReadme.read().text()).contains(table);
    }

    /** The yaml blocks of the README that are plugin configurations (they start with {@link #MARK}). */
    static List<String> readmeConfigs() throws Exception {
        return PluginReadme.read().yamlBlocks(MARK);
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
        String readme = PluginReadme.read().text();
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
