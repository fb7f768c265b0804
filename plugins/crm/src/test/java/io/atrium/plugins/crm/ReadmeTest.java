package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.testkit.PluginReadme;

import org.junit.jupiter.api.Test;

/** The README's option table is the spec's, and its sample configurations pass the plugin's own checks. */
class ReadmeTest {

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        assertThat(PluginReadme.read().headings()).containsExactly("# crm", "## What it does", "## Options", "## Example route", "## Testing");
    }

    /** The table as the README must have it (also written to target/options-table.md). */
    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = PluginReadme.writeOptionsTable(CrmConfig.SPEC, CrmConfig.REQUIRED_IN_MODE, "in %s mode");
        assertThat(PluginReadme.read().text()).contains(table);
    }

    /** Every ```yaml block that starts with "# config/plugins/crm.yml" is a configuration the plugin accepts. */
    @Test
    void theSampleConfigurationsAreAccepted() throws Exception {
        List<String> samples = PluginReadme.read().yamlBlocks("# config/plugins/crm.yml");
        assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
        for (String sample : samples) {
            Map<String, Object> raw = new HashMap<>();
            for (String line : sample.lines().toList()) {
                String l = line.replaceAll("\\s+#.*$", "").strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int colon = l.indexOf(": ");
                assertThat(colon).as("a key: value line in %s", sample).isPositive();
                String value = l.substring(colon + 2).strip();
                if (value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                // ${ENV} placeholders are the hub's; any value stands in for them here.
                raw.put(l.substring(0, colon), value.replaceAll("\\$\\{[A-Z_]+}", "from-the-environment"));
            }
            ConfigSpec.Validation v = CrmConfig.SPEC.validate(raw);
            assertThat(v.problems()).as("spec problems of %s", sample).isEmpty();
            CrmConfig.parse(v.config());
        }
    }
}
