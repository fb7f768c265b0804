package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.atrium.plugin.testkit.PluginReadme;

import org.junit.jupiter.api.Test;

/** The README's option table is the spec's: a key added, renamed or re-described fails here until the README says so. */
class ReadmeTest {

    @Test
    void theReadmeHasTheSharedHeadings() throws Exception {
        assertThat(PluginReadme.read().headings()).containsExactly("# sms", "## What it does", "## Options", "## Example route", "## Testing");
    }

    /** The table as the README must have it (also written to target/options-table.md). */
    @Test
    void theReadmeListsEveryOptionAsDeclared() throws Exception {
        String table = PluginReadme.writeOptionsTable(SmsConfig.SPEC, SmsConfig.REQUIRED_IN_MODE, "in %s mode");
        assertThat(PluginReadme.read().text()).contains(table);
    }

    @Test
    void theExampleConfigurationsUseOnlyDeclaredKeys() throws Exception {
        // Lines such as "smpp-host: smsc.example.net" inside the README's yaml blocks.
        String readme = PluginReadme.read().text();
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
