package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

/** Small helpers shared by the unit tests. */
final class Maps {

    private Maps() {
    }

    /** A map of key, value, key, value, ... (values may be null). */
    static Map<String, Object> of(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The plugin's configuration from raw keys (sources [] unless given), checked by the spec. */
    static PluginConfig config(Map<String, Object> raw) {
        Map<String, Object> c = new HashMap<>(raw);
        c.putIfAbsent("sources", List.of());
        ConfigSpec.Validation v = ErpConfig.SPEC.validate(c);
        assertThat(v.problems()).isEmpty();
        return v.config();
    }

    /** A mapping from raw {@code mapping.*} keys, which must be valid. */
    static Mapping mapping(Object... kv) {
        List<ConfigProblem> problems = new ArrayList<>();
        Mapping m = Mapping.compile(ErpConfig.mappingSettings(config(of(kv))), problems);
        assertThat(problems).isEmpty();
        return m;
    }

    /** The problems of a mapping from raw keys, which must have some. */
    static List<String> mappingProblems(Object... kv) {
        List<ConfigProblem> problems = new ArrayList<>();
        Mapping m = Mapping.compile(ErpConfig.mappingSettings(config(of(kv))), problems);
        assertThat(m).isNull();
        return problems.stream().map(ConfigProblem::message).toList();
    }

    /** A record of a CSV file orders.csv, row 1 (line 2). */
    static Record row(Object... kv) {
        return new Record(Position.fileRow("files", "orders.csv", 1, 2), of(kv));
    }
}
