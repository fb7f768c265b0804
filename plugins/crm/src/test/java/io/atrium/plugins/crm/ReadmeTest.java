package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;

import org.junit.jupiter.api.Test;

/** The README's option table is the spec's, and its sample configurations pass the plugin's own checks. */
class ReadmeTest {

    static final Path README = Path.of("README.md");

    /** The table as the README must have it; also written to target/options-table.md. */
    static String optionsTable() {
        StringBuilder b = new StringBuilder("| key | type | default | required | secret | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigKey k : CrmConfig.SPEC.keys()) {
            String required = k.isRequired() ? "yes"
                    : CrmConfig.REQUIRED_IN_MODE.containsKey(k.name()) ? "in " + CrmConfig.REQUIRED_IN_MODE.get(k.name()) + " mode"
                    : "no";
            String allowed = k.allowedValues().isEmpty() ? "" : " (" + String.join(", ", k.allowedValues()) + ")";
            b.append("| `").append(k.name()).append("` | ").append(k.type()).append(allowed).append(" | ")
                    .append(k.defaultValue() == null ? "" : "`" + k.defaultValue() + "`").append(" | ")
                    .append(required).append(" | ").append(k.isSecret() ? "yes" : "no").append(" | ")
                    .append(k.description().replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")).append(" |\n");
        }
        return b.toString();
    }

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        List<String> headings = new ArrayList<>();
        boolean code = false;
        for (String l : Files.readAllLines(README)) {
            if (l.startsWith("```")) {
                code = !code;
            } else if (!code && l.matches("#+ .*")) {
                headings.add(l);
            }
        }
        assertThat(headings).containsExactly("# crm", "## What it does", "## Options", "## Example route", "## Testing");
    }

    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = optionsTable();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "options-table.md"), table);
        assertThat(Files.readString(README)).contains(table);
    }

    /** Every ```yaml block that starts with "# config/plugins/crm.yml" is a configuration the plugin accepts. */
    @Test
    void theSampleConfigurationsAreAccepted() throws Exception {
        String readme = Files.readString(README);
        Matcher m = Pattern.compile("```yaml\n# config/plugins/crm\\.yml[^\n]*\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> samples = new ArrayList<>();
        while (m.find()) {
            samples.add(m.group(1));
        }
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
