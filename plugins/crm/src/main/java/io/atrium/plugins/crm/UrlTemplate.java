package io.atrium.plugins.crm;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.atrium.plugin.api.ConfigProblem;

/**
 * A URL of the generic mode with {@code {placeholder}}s, e.g.
 * {@code /contacts?modified_since={since}&cursor={after}}: absolute, or relative to {@code api-url}.
 * Values are URL-encoded (UTF-8, a space as {@code %20}).
 */
final class UrlTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private final String template;

    private UrlTemplate(String template) {
        this.template = template;
    }

    /**
     * Checks {@code template}: absolute http(s) or starting with '/', and only {@code allowed} placeholders.
     *
     * @param problems where a problem is added, naming {@code key}
     * @return the template, or null when it has a problem
     */
    static UrlTemplate parse(String key, String template, Set<String> allowed, List<ConfigProblem> problems) {
        String t = template.strip();
        Set<String> unknown = new LinkedHashSet<>();
        for (String name : placeholders(t)) {
            if (!allowed.contains(name)) {
                unknown.add("{" + name + "}");
            }
        }
        boolean ok = true;
        if (!unknown.isEmpty()) {
            problems.add(new ConfigProblem(key, "key '" + key + "' uses unknown placeholder(s) " + unknown + "; it may use "
                    + allowed.stream().map(n -> "{" + n + "}").toList()));
            ok = false;
        }
        String probe = PLACEHOLDER.matcher(t).replaceAll("x");
        boolean relative = probe.startsWith("/");
        if (!relative) {
            try {
                URI u = URI.create(probe);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(key, "key '" + key + "' expects an http(s) URL or a path starting with '/' (relative to api-url)"
                        + " but got '" + t + "'"));
                ok = false;
            }
        } else if (probe.chars().anyMatch(Character::isWhitespace)) {
            problems.add(new ConfigProblem(key, "key '" + key + "' must not contain spaces: '" + t + "'"));
            ok = false;
        }
        return ok ? new UrlTemplate(t) : null;
    }

    static List<String> placeholders(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The URL with every placeholder replaced by its URL-encoded value (absent values are empty). */
    URI expand(URI apiUrl, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(v == null ? "" : encode(v)));
        }
        m.appendTail(b);
        String url = b.toString();
        if (url.startsWith("/")) {
            String base = apiUrl.toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            url = base + url;
        }
        return URI.create(url);
    }

    static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return template;
    }
}
