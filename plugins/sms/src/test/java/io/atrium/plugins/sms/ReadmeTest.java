package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.atrium.plugin.api.ConfigKey;

import org.junit.jupiter.api.Test;

/** The README's option table is the spec's: a key added, renamed or re-described fails here until the README says so. */
class ReadmeTest {

    static final Path README = Path.of("README.md");

    /** The table as the README must have it; also written to target/options-table.md. */
    static String optionsTable() {
        StringBuilder b = new StringBuilder("| key | type | default | required | secret | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigKey k : SmsConfig.SPEC.keys()) {
            String required = k.isRequired() ? "yes"
                    : SmsConfig.REQUIRED_IN_MODE.containsKey(k.name()) ? "in " + SmsConfig.REQUIRED_IN_MODE.get(k.name()) + " mode"
                    : "no";
            String allowed = k.allowedValues().isEmpty() ? "" : " (" + String.join(", ", k.allowedValues()) + ")";
            b.append("| `").append(k.name()).append("` | ").append(k.type()).append(allowed).append(" | ")
                    .append(k.defaultValue() == null ? "" : "`" + k.defaultValue() + "`").append(" | ")
                    .append(required).append(" | ").append(k.isSecret() ? "yes" : "no").append(" | ")
                    .append(k.description()).append(" |\n");
        }
        return b.toString();
    }

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        List<String> headings = Files.readAllLines(README).stream().filter(l -> l.startsWith("#")).toList();
        assertThat(headings).containsExactly("# sms", "## What it does", "## Options", "## Example route", "## Testing");
    }

    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = optionsTable();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "options-table.md"), table);
        assertThat(Files.readString(README)).contains(table);
    }

    @Test
    void theExampleConfigurationsUseOnlyDeclaredKeys() throws Exception {
        // Lines such as "smpp-host: smsc.example.net" inside the README's yaml blocks.
        String readme = Files.readString(README);
        Map<String, Boolean> keys = readme.lines()
                .map(String::strip)
                .filter(l -> l.matches("[a-z][a-z-]*: .*") && !l.startsWith("uri:") && !l.startsWith("to:"))
                .map(l -> l.substring(0, l.indexOf(':')))
                .filter(k -> !List.of("route", "from", "steps", "constant", "setBody", "uri", "to", "id", "parameters",
                        "simple", "setHeader", "name", "period", "expression").contains(k))
                .collect(Collectors.toMap(k -> k, k -> SmsConfig.SPEC.key(k) != null, (a, b) -> a));
        assertThat(keys).isNotEmpty();
        assertThat(keys).allSatisfy((k, declared) -> assertThat(declared).as(k).isTrue());
    }
}
