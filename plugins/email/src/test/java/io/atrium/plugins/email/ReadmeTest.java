package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The README's option table and the sample configuration say what the spec says. */
class ReadmeTest {

    private static String readme() throws Exception {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void theReadmeHasTheFourHeadings() throws Exception {
        List<String> headings = readme().lines().filter(l -> l.startsWith("## ")).toList();
        assertThat(headings).containsExactly("## What it does", "## Options", "## Example route", "## Testing");
    }

    @Test
    void theOptionsTableListsEveryKeyAsTheSpecDeclaresIt() throws Exception {
        String options = readme().split("## Options")[1].split("## Example route")[0];
        List<String> rows = options.lines().filter(l -> l.startsWith("| `")).toList();
        List<String> expected = new ArrayList<>();
        for (ConfigKey k : EmailSpec.SPEC.keys()) {
            expected.add("| `" + k.name() + "` | " + k.type()
                    + (k.allowedValues().isEmpty() ? "" : ": " + String.join(", ", k.allowedValues()))
                    + " | " + (k.defaultValue() == null ? "" : "`" + k.defaultValue() + "`")
                    + " | " + (k.isRequired() ? "yes" : "no") + " | " + (k.isSecret() ? "yes" : "no")
                    + " | " + k.description() + " |");
        }
        assertThat(rows).containsExactlyElementsOf(expected);
    }

    @Test
    void theSampleConfigurationIsValid() throws Exception {
        String yaml = Files.readString(Path.of("config", "email.yml"))
                .replaceAll("\\$\\{[A-Z_]+}", "placeholder-value-from-env");
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        ConfigSpec.Validation v = EmailSpec.SPEC.validate(new LinkedHashMap<>(raw));
        assertThat(v.problems()).isEmpty();
        EmailSettings s = EmailSettings.from(v.config());
        assertThat(s.bounceMode()).isEqualTo(EmailSettings.BounceMode.IMAP);
        assertThat(readme()).contains(Files.readString(Path.of("config", "email.yml")).strip());
    }
}
