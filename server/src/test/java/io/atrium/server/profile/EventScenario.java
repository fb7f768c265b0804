package io.atrium.server.profile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import io.atrium.plugin.api.Event;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A generated history of several people across devices: anonymous visits, sign-ups, orders with
 * e-mail and phone, aliases, trait changes and consent changes, each event with its own time.
 * Identity values are symbols ({@code p3.email}) made real per run, so several runs can share one
 * database; {@link #canonical} reads the stored profiles back in symbols.
 */
final class EventScenario {

    final int people;
    final List<Template> templates = new ArrayList<>();

    /** An event with symbolic identity values and message id. */
    record Template(String type, String event, String messageId, String userId, String anonymousId, String previousId,
                    Map<String, String> identities, Map<String, Object> traits, Map<String, Object> properties, Instant timestamp) {
    }

    EventScenario(int people, long seed) {
        this.people = people;
        Random random = new Random(seed);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        int n = 0;
        for (int p = 0; p < people; p++) {
            String pp = "p" + p;
            for (int d = 0; d < 3; d++) {
                for (int v = 0; v <= random.nextInt(3); v++) {
                    templates.add(new Template("page", null, pp + ".m" + n++, null, pp + ".d" + d, null, Map.of(), Map.of(),
                            Map.of("path", "/page/" + v), t = t.plusSeconds(1 + random.nextInt(100))));
                }
            }
            String[] plans = {"free", "basic", "pro", "gold"};
            for (int i = 0; i < 3; i++) {
                templates.add(new Template("identify", null, pp + ".m" + n++, pp + ".user", pp + ".d0", null, Map.of(),
                        Map.of("email", pp + ".email", "plan", plans[random.nextInt(plans.length)], "visits", random.nextInt(100),
                                "consents", Map.of("email", Map.of("marketing", random.nextBoolean()))),
                        Map.of(), t = t.plusSeconds(1 + random.nextInt(100))));
            }
            templates.add(new Template("track", "order_completed", pp + ".m" + n++, null, pp + ".d1", null,
                    Map.of("email", pp + ".email", "phone", pp + ".phone"), Map.of(), Map.of("total", random.nextInt(500)),
                    t = t.plusSeconds(1 + random.nextInt(100))));
            templates.add(new Template("alias", null, pp + ".m" + n++, pp + ".user", null, pp + ".d2", Map.of(), Map.of(), Map.of(),
                    t = t.plusSeconds(1 + random.nextInt(100))));
            templates.add(new Template("track", ProfileStore.CONSENT_EVENT, pp + ".m" + n++, null, null, null, Map.of("phone", pp + ".phone"),
                    Map.of(), Map.of("channel", "sms", "purpose", "marketing", "granted", random.nextBoolean()),
                    t = t.plusSeconds(1 + random.nextInt(100))));
            templates.add(new Template("track", "crm_sync", pp + ".m" + n++, null, null, null, Map.of("crm_id", pp + ".crm", "email", pp + ".email"),
                    Map.of(), Map.of(), t = t.plusSeconds(1 + random.nextInt(100))));
        }
    }

    /** The events of one run: every symbol made real with {@code real}. */
    List<Event> events(UnaryOperator<String> real) {
        List<Event> out = new ArrayList<>();
        for (Template x : templates) {
            Event.Builder b = Event.ofType(x.type()).event(x.event()).messageId(real.apply(x.messageId())).timestamp(x.timestamp())
                    .properties(x.properties());
            if (x.userId() != null) {
                b.userId(real.apply(x.userId()));
            }
            if (x.anonymousId() != null) {
                b.anonymousId(real.apply(x.anonymousId()));
            }
            if (x.previousId() != null) {
                b.previousId(real.apply(x.previousId()));
            }
            x.identities().forEach((type, symbol) -> b.identity(type, real.apply(symbol)));
            x.traits().forEach((k, v) -> b.trait(k, v instanceof String s && s.startsWith("p") && s.contains(".") ? real.apply(s) : v));
            out.add(b.build());
        }
        return out;
    }

    /** Symbols of all identities, message ids and their real value in a run. */
    Map<String, String> symbols(UnaryOperator<String> real) {
        Map<String, String> realToSymbol = new HashMap<>();
        for (Template x : templates) {
            realToSymbol.put(real.apply(x.messageId()), x.messageId());
            for (String s : new String[] {x.userId(), x.anonymousId(), x.previousId()}) {
                if (s != null) {
                    realToSymbol.put(real.apply(s), s);
                }
            }
            x.identities().values().forEach(s -> realToSymbol.put(real.apply(s), s));
        }
        return realToSymbol;
    }

    /**
     * The stored profiles holding this run's identities, in symbols: for each profile its
     * identities, traits, consents and events, as a sorted text per profile.
     */
    static TreeSet<String> canonical(JdbcTemplate jdbc, Map<String, String> realToSymbol, UnaryOperator<String> normalise) {
        List<String> values = new ArrayList<>();
        realToSymbol.keySet().forEach(v -> values.add(normalise.apply(v)));
        Map<String, String> symbolOf = new HashMap<>();
        realToSymbol.forEach((k, v) -> symbolOf.put(normalise.apply(k), v));
        Map<Long, TreeMap<String, Object>> profiles = new TreeMap<>();
        jdbc.query("SELECT profile_id, type, value FROM identities WHERE value = ANY(?)", rs -> {
            profiles.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>()).computeIfAbsent("identities", k -> new TreeSet<String>());
            @SuppressWarnings("unchecked")
            TreeSet<String> ids = (TreeSet<String>) profiles.get(rs.getLong(1)).get("identities");
            ids.add(rs.getString(2) + ":" + symbolOf.get(rs.getString(3)));
        }, (Object) values.toArray(String[]::new));
        TreeSet<String> out = new TreeSet<>();
        for (Map.Entry<Long, TreeMap<String, Object>> e : profiles.entrySet()) {
            long id = e.getKey();
            TreeMap<String, Object> p = e.getValue();
            TreeMap<String, String> traits = new TreeMap<>();
            jdbc.query("SELECT name, value::text FROM traits WHERE profile_id = ?", rs -> {
                String v = rs.getString(2);
                for (Map.Entry<String, String> s : symbolOf.entrySet()) {
                    v = v.replace(s.getKey(), s.getValue());
                }
                traits.put(rs.getString(1), v);
            }, id);
            p.put("traits", traits);
            p.put("consents", new TreeSet<>(jdbc.queryForList("SELECT channel || '/' || purpose || '=' || granted FROM consents WHERE profile_id = ?",
                    String.class, id)));
            TreeSet<String> events = new TreeSet<>();
            jdbc.queryForList("SELECT message_id FROM events WHERE profile_id = ?", String.class, id)
                    .forEach(m -> events.add(symbolOf.getOrDefault(m, "?" + m)));
            p.put("events", events);
            out.add(p.toString());
        }
        return out;
    }
}
