package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;

import org.junit.jupiter.api.Test;

/** The README's option table is the spec, and the README has the headings every plugin has. */
class ReadmeTest {

    static final Path README = Path.of("README.md");

    @Test
    void hasTheFourHeadingsInOrder() throws Exception {
        List<String> headings = Files.readAllLines(README).stream().filter(l -> l.startsWith("## ")).toList();
        assertThat(headings).containsExactly("## What it does", "## Options", "## Example route", "## Testing");
    }

    @Test
    void theOptionTableMatchesTheSpecKeyByKey() throws Exception {
        Map<String, List<String>> rows = optionRows();
        assertThat(rows.keySet()).containsExactlyElementsOf(
                ViberConnector.SPEC.keys().stream().map(ConfigKey::name).toList());
        for (ConfigKey key : ViberConnector.SPEC.keys()) {
            List<String> cells = rows.get(key.name());
            assertThat(cells.get(0)).as("type of %s", key.name()).isEqualTo(key.type().name());
            assertThat(cells.get(1)).as("default of %s", key.name())
                    .isEqualTo(key.defaultValue() == null ? "" : "`" + key.defaultValue() + "`");
            assertThat(cells.get(2)).as("required of %s", key.name()).isEqualTo(key.isRequired() ? "yes" : "no");
            assertThat(cells.get(3)).as("secret of %s", key.name()).isEqualTo(key.isSecret() ? "yes" : "no");
            assertThat(cells.get(4)).as("description of %s", key.name()).isEqualTo(key.description());
        }
    }

    /** key -> [type, default, required, secret, description] of the table under "## Options". */
    static Map<String, List<String>> optionRows() throws Exception {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        boolean inOptions = false;
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("## ")) {
                inOptions = line.equals("## Options");
                continue;
            }
            if (!inOptions || !line.startsWith("| `")) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String c : line.substring(1, line.length() - 1).split("\\|", -1)) {
                cells.add(c.strip());
            }
            rows.put(cells.get(0).replace("`", ""), cells.subList(1, cells.size()));
        }
        return rows;
    }
}
