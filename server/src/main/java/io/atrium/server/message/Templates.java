package io.atrium.server.message;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;

import io.atrium.server.api.ApiException;
import io.atrium.server.profile.IdentityNormalizer;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Message templates: Mustache text (JMustache) for a channel's subject, text and HTML body,
 * stored in {@code templates}. A template is checked when saved: it must compile, and every
 * variable must be one the hub can fill (docs/templates.md): {@code traits.<name>} of a trait
 * some profile has or that the template gives a default for, {@code identities.<type>},
 * {@code profile.id}, {@code message.id}, {@code unsubscribe_url}, or {@code event.*},
 * {@code campaign.*}, {@code data.*} supplied by whoever sends. Rendering is strict: a value that
 * is missing at send time fails the message with the variable's name, it never leaves a blank.
 */
@Component
public class Templates {

    /** The roots a variable may start with. */
    static final Set<String> ROOTS = Set.of("traits", "identities", "profile", "event", "campaign", "data", "message",
            "unsubscribe_url");
    private static final Set<String> FREE_ROOTS = Set.of("event", "campaign", "data");
    private static final Duration TRAIT_CACHE = Duration.ofSeconds(30);

    private static final Mustache.Compiler HTML = Mustache.compiler().escapeHTML(true).strictSections(false);
    private static final Mustache.Compiler TEXT = Mustache.compiler().escapeHTML(false).strictSections(false);

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private volatile Set<String> knownTraits;
    private volatile Instant knownTraitsAt = Instant.EPOCH;

    public Templates(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** A stored template. {@code defaults} maps a variable ({@code traits.first_name}) to the text used when it has no value. */
    public record MessageTemplate(String id, String name, String channel, String subject, String text, String html,
                                  Map<String, String> defaults, Instant createdAt, Instant updatedAt) {
    }

    /** The rendered parts. */
    public record Rendered(String subject, String text, String html) {
    }

    /** A value the template needs is missing when it is rendered. */
    public static final class RenderException extends RuntimeException {
        RenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public List<MessageTemplate> list() {
        return jdbc.query("SELECT * FROM templates ORDER BY id", this::row);
    }

    public MessageTemplate get(String id) {
        List<MessageTemplate> t = jdbc.query("SELECT * FROM templates WHERE id = ?", this::row, id);
        if (t.isEmpty()) {
            throw ApiException.notFound("no template with id '" + id + "'");
        }
        return t.get(0);
    }

    /** Every problem of a template body, each as {@code {field, message}}; empty when it can be saved. */
    public List<Map<String, String>> problems(Map<String, Object> body, boolean idRequired) {
        List<Map<String, String>> out = new ArrayList<>();
        Object id = body.get("id");
        if (idRequired && !(id instanceof String s && s.matches("[a-z0-9][a-z0-9_-]{0,99}"))) {
            out.add(problem("id", "required: lower-case letters, digits, '-' and '_', at most 100"));
        }
        for (String key : body.keySet()) {
            if (!Set.of("id", "name", "channel", "subject", "text", "html", "defaults").contains(key)) {
                out.add(problem(key, "unknown field; a template has id, name, channel, subject, text, html, defaults"));
            }
        }
        if (!(body.get("channel") instanceof String c && c.matches("[a-z][a-z0-9-]*"))) {
            out.add(problem("channel", "required: the channel it is for (email, sms, viber, ...)"));
        }
        if (!(body.get("text") instanceof String t) || t.isBlank()) {
            out.add(problem("text", "required: the plain-text body"));
        }
        for (String f : List.of("name", "subject", "html")) {
            if (body.get(f) != null && !(body.get(f) instanceof String)) {
                out.add(problem(f, "must be a string"));
            }
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        Object d = body.get("defaults");
        if (d instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    defaults.put(String.valueOf(k), String.valueOf(v));
                } else {
                    out.add(problem("defaults." + k, "must be a string, number or boolean"));
                }
            });
        } else if (d != null) {
            out.add(problem("defaults", "must be an object of variable name to default text"));
        }
        for (String f : List.of("subject", "text", "html")) {
            if (body.get(f) instanceof String src) {
                out.addAll(checkVariables(f, src, f.equals("html") ? HTML : TEXT, defaults));
            }
        }
        return out;
    }

    private List<Map<String, String>> checkVariables(String field, String source, Mustache.Compiler compiler,
                                                     Map<String, String> defaults) {
        List<Map<String, String>> out = new ArrayList<>();
        Template template;
        try {
            template = compiler.compile(source);
        } catch (MustacheException e) {
            out.add(problem(field, "does not compile: " + e.getMessage()));
            return out;
        }
        Set<String> names = new LinkedHashSet<>();
        template.visit(new Mustache.Visitor() {
            @Override
            public void visitText(String text) {
            }

            @Override
            public void visitVariable(String name) {
                names.add(name);
            }

            @Override
            public boolean visitInclude(String name) {
                out.add(problem(field, "includes ({{> " + name + "}}) are not supported"));
                return false;
            }

            @Override
            public boolean visitSection(String name) {
                names.add(name);
                return false; // names inside a section are relative to its value
            }

            @Override
            public boolean visitInvertedSection(String name) {
                names.add(name);
                return false;
            }
        });
        for (String name : names) {
            String why = unknown(name, defaults);
            if (why != null) {
                out.add(problem(field, "{{" + name + "}}: " + why));
            }
        }
        return out;
    }

    /** Why a variable cannot be filled, or null when it can. */
    private String unknown(String name, Map<String, String> defaults) {
        String[] parts = name.split("\\.", -1);
        String root = parts[0];
        if (!ROOTS.contains(root)) {
            return "unknown variable; variables start with one of " + new TreeSet<>(ROOTS);
        }
        if (FREE_ROOTS.contains(root)) {
            return parts.length >= 2 && !parts[1].isEmpty() ? null : "name a field, e.g. {{" + root + ".total}}";
        }
        switch (root) {
            case "unsubscribe_url":
                return parts.length == 1 ? null : "unsubscribe_url has no fields";
            case "profile":
                return name.equals("profile.id") ? null : "the profile has {{profile.id}}; its data is under traits.<name>";
            case "message":
                return name.equals("message.id") ? null : "the message has {{message.id}}";
            case "identities":
                return parts.length == 2 && IdentityNormalizer.validType(parts[1]) ? null
                        : "name an identity type, e.g. {{identities.email}}";
            default: // traits
                if (parts.length != 2 || parts[1].isEmpty()) {
                    return "name one trait, e.g. {{traits.first_name}}";
                }
                if (defaults.containsKey(name) || knownTraits().contains(parts[1])) {
                    return null;
                }
                return "unknown trait '" + parts[1] + "': no profile has it and the template gives no default "
                        + "(add \"defaults\": {\"" + name + "\": \"...\"})" + suggestion(parts[1]);
        }
    }

    private String suggestion(String trait) {
        String best = null;
        int bestDistance = 3;
        for (String known : knownTraits()) {
            int d = distance(trait, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean 'traits." + best + "'?";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Trait names some profile has, refreshed at most every 30 s. */
    Set<String> knownTraits() {
        Instant now = Instant.now();
        if (knownTraits == null || now.isAfter(knownTraitsAt.plus(TRAIT_CACHE))) {
            knownTraits = Set.copyOf(jdbc.queryForList("SELECT DISTINCT name FROM traits", String.class));
            knownTraitsAt = now;
        }
        return knownTraits;
    }

    /** Forgets the cached trait names (tests, and after a bulk import). */
    public void refreshKnownTraits() {
        knownTraits = null;
    }

    public MessageTemplate create(Map<String, Object> body) {
        refuseProblems(problems(body, true));
        try {
            jdbc.update("INSERT INTO templates (id, name, channel, subject, text, html, defaults) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)",
                    body.get("id"), body.getOrDefault("name", body.get("id")), body.get("channel"), body.get("subject"),
                    body.get("text"), body.get("html"), json(body.get("defaults")));
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "a template with id '" + body.get("id") + "' exists already");
        }
        return get((String) body.get("id"));
    }

    public MessageTemplate update(String id, Map<String, Object> body) {
        get(id);
        if (body.containsKey("id") && !id.equals(body.get("id"))) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_template",
                    List.of(problem("id", "is '" + id + "' in the path; a template's id cannot change")));
        }
        Map<String, Object> b = new LinkedHashMap<>(body);
        b.remove("id");
        refuseProblems(problems(b, false));
        jdbc.update("UPDATE templates SET name = ?, channel = ?, subject = ?, text = ?, html = ?, defaults = ?::jsonb, "
                        + "updated_at = now() WHERE id = ?",
                b.getOrDefault("name", id), b.get("channel"), b.get("subject"), b.get("text"), b.get("html"),
                json(b.get("defaults")), id);
        return get(id);
    }

    public void delete(String id) {
        if (jdbc.update("DELETE FROM templates WHERE id = ?", id) == 0) {
            throw ApiException.notFound("no template with id '" + id + "'");
        }
    }

    private static void refuseProblems(List<Map<String, String>> problems) {
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_template", problems);
        }
    }

    /**
     * Renders a template with a model ({@code traits}, {@code identities}, {@code profile}, ...). The
     * template's defaults fill what the model lacks; anything still missing is a {@link RenderException}.
     */
    public Rendered render(MessageTemplate t, Map<String, Object> model) {
        Map<String, Object> m = withDefaults(model, t.defaults());
        return new Rendered(run("subject", t.subject(), TEXT, m), run("text", t.text(), TEXT, m), run("html", t.html(), HTML, m));
    }

    /** Renders inline parts (a message sent without a stored template) the same way. */
    public Rendered render(String subject, String text, String html, Map<String, Object> model) {
        return new Rendered(run("subject", subject, TEXT, model), run("text", text, TEXT, model), run("html", html, HTML, model));
    }

    /** Compiled templates by compiler and source: a campaign renders the same few templates for many people. */
    private static final Map<String, Template> COMPILED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Template> eldest) {
                    return size() > 500;
                }
            });

    private static String run(String field, String source, Mustache.Compiler compiler, Map<String, Object> model) {
        if (source == null) {
            return null;
        }
        try {
            String key = (compiler == HTML ? "h:" : "t:") + source;
            Template t = COMPILED.get(key);
            if (t == null) {
                t = compiler.compile(source);
                COMPILED.put(key, t);
            }
            return t.execute(model);
        } catch (MustacheException e) {
            throw new RenderException(field + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withDefaults(Map<String, Object> model, Map<String, String> defaults) {
        if (defaults.isEmpty()) {
            return model;
        }
        Map<String, Object> m = new LinkedHashMap<>(model);
        defaults.forEach((name, value) -> {
            String[] parts = name.split("\\.");
            Map<String, Object> node = m;
            for (int i = 0; i < parts.length - 1; i++) {
                Object child = node.get(parts[i]);
                Map<String, Object> copy = child instanceof Map<?, ?> c ? new LinkedHashMap<>((Map<String, Object>) c) : new LinkedHashMap<>();
                node.put(parts[i], copy);
                node = copy;
            }
            Object current = node.get(parts[parts.length - 1]);
            if (current == null || (current instanceof String s && s.isEmpty())) {
                node.put(parts[parts.length - 1], value);
            }
        });
        return m;
    }

    private static Map<String, String> problem(String field, String message) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("field", field);
        p.put("message", message);
        return p;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value == null ? Map.of() : value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private MessageTemplate row(ResultSet rs, int i) throws SQLException {
        Map<String, String> defaults;
        try {
            defaults = mapper.readValue(rs.getString("defaults"), new TypeReference<Map<String, String>>() { });
        } catch (Exception e) {
            throw new SQLException("defaults of template " + rs.getString("id") + " are not a JSON object", e);
        }
        return new MessageTemplate(rs.getString("id"), rs.getString("name"), rs.getString("channel"), rs.getString("subject"),
                rs.getString("text"), rs.getString("html"), defaults, instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
