package io.atrium.plugins.erp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ordered list of rules, each {@code <result> [when <condition>]}; the first whose condition
 * holds gives the result. Results are text with {@code {field}} placeholders (the field's value),
 * or {@code skip}: the record is left out on purpose. Conditions compare a field's value as text,
 * ignoring case and surrounding spaces:
 *
 * <pre>
 * order_created when status = new
 * order_cancelled when status in cancelled|void
 * skip when status != confirmed
 * skip when email is empty
 * order_{status}
 * </pre>
 *
 * Operators: {@code =}, {@code !=}, {@code in a|b|c}, {@code not in a|b}, {@code is empty},
 * {@code is not empty}. A value with spaces is quoted: {@code status = 'ready to ship'}.
 */
final class Rules {

    static final String SKIP = "skip";

    private static final Pattern WHEN = Pattern.compile("\\s+when(\\s+|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern EMPTY = Pattern.compile("(\\S+)\\s+is\\s+(not\\s+)?empty", Pattern.CASE_INSENSITIVE);
    private static final Pattern IN = Pattern.compile("(\\S+)\\s+(not\\s+)?in\\s+(.+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern COMPARE = Pattern.compile("([^\\s=!]+)\\s*(!=|=)\\s*(.*)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    enum Op { EQ, NE, IN, NOT_IN, EMPTY, NOT_EMPTY }

    record Condition(FieldRef field, Op op, List<String> values) {
        boolean holds(String value) {
            boolean empty = value == null || value.isEmpty();
            return switch (op) {
                case EMPTY -> empty;
                case NOT_EMPTY -> !empty;
                case EQ -> !empty && value.equalsIgnoreCase(values.get(0));
                case NE -> empty || !value.equalsIgnoreCase(values.get(0));
                case IN -> !empty && values.stream().anyMatch(value::equalsIgnoreCase);
                case NOT_IN -> empty || values.stream().noneMatch(value::equalsIgnoreCase);
            };
        }
    }

    /** A result: literal text and {@code {field}} placeholders. */
    record Template(String text, List<String> parts, List<String> fields) {
        boolean isSkip() {
            return fields.isEmpty() && text.equalsIgnoreCase(SKIP);
        }
    }

    record Rule(Template result, Condition condition, String text) {
    }

    /** The outcome of evaluating: a result, {@link #SKIP}, or a problem. */
    record Outcome(String result, RecordProblem problem) {
        boolean skipped() {
            return SKIP.equals(result);
        }
    }

    private final List<Rule> rules;
    private final String key;

    private Rules(List<Rule> rules, String key) {
        this.rules = rules;
        this.key = key;
    }

    /**
     * @param allowed the only results allowed (without placeholders), or null for any text with placeholders
     * @throws IllegalArgumentException naming the rule that is wrong
     */
    static Rules parse(List<String> items, String key, Set<String> allowed) {
        List<Rule> rules = new ArrayList<>();
        for (String item : items) {
            String raw = item.strip();
            if (raw.isEmpty()) {
                continue;
            }
            Matcher when = WHEN.matcher(raw);
            String resultText = raw;
            Condition condition = null;
            if (when.find()) {
                resultText = raw.substring(0, when.start()).strip();
                condition = condition(raw.substring(when.end()).strip(), raw);
            } else if (raw.regionMatches(true, 0, "when ", 0, 5)) {
                throw new IllegalArgumentException("rule '" + raw + "' has no result before 'when'");
            }
            Template result = template(resultText, raw);
            if (allowed != null && !result.isSkip() && !(result.fields().isEmpty()
                    && allowed.contains(result.text().toLowerCase(Locale.ROOT)))) {
                throw new IllegalArgumentException("rule '" + raw + "' must give one of " + allowed + " or skip, not '"
                        + result.text() + "'");
            }
            if (!rules.isEmpty() && rules.get(rules.size() - 1).condition() == null) {
                throw new IllegalArgumentException("rule '" + raw + "' comes after '" + rules.get(rules.size() - 1).text()
                        + "', which has no condition and always applies: put the rule without 'when' last");
            }
            rules.add(new Rule(result, condition, raw));
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("has no rule");
        }
        return new Rules(List.copyOf(rules), key);
    }

    private static Template template(String text, String rule) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("rule '" + rule + "' has no result before 'when'");
        }
        List<String> parts = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int last = 0;
        while (m.find()) {
            parts.add(text.substring(last, m.start()));
            String f = m.group(1).strip();
            try {
                fields.add(FieldRef.field(f).field());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule '" + rule + "': placeholder {" + m.group(1) + "}: " + e.getMessage());
            }
            last = m.end();
        }
        parts.add(text.substring(last));
        String rest = String.join("", parts);
        if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
            throw new IllegalArgumentException("rule '" + rule + "' has an unbalanced '{' or '}'");
        }
        return new Template(text, List.copyOf(parts), List.copyOf(fields));
    }

    private static Condition condition(String text, String rule) {
        try {
            Matcher m = EMPTY.matcher(text);
            if (m.matches()) {
                return new Condition(FieldRef.field(m.group(1)), m.group(2) == null ? Op.EMPTY : Op.NOT_EMPTY, List.of());
            }
            m = IN.matcher(text);
            if (m.matches()) {
                List<String> values = new ArrayList<>();
                for (String v : m.group(3).split("\\|")) {
                    values.add(unquote(v));
                }
                return new Condition(FieldRef.field(m.group(1)), m.group(2) == null ? Op.IN : Op.NOT_IN, List.copyOf(values));
            }
            m = COMPARE.matcher(text);
            if (m.matches()) {
                return new Condition(FieldRef.field(m.group(1)), m.group(2).equals("=") ? Op.EQ : Op.NE,
                        List.of(unquote(m.group(3))));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule '" + rule + "': " + e.getMessage());
        }
        throw new IllegalArgumentException("rule '" + rule + "': cannot read the condition '" + text + "'; write "
                + "'<field> = <value>', '<field> != <value>', '<field> in a|b', '<field> not in a|b', "
                + "'<field> is empty' or '<field> is not empty'");
    }

    private static String unquote(String v) {
        String t = v.strip();
        if (t.length() >= 2 && (t.startsWith("'") && t.endsWith("'") || t.startsWith("\"") && t.endsWith("\""))) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    /** Every field the rules read (for checks against a query's columns). */
    Set<FieldRef> fields() {
        Set<FieldRef> out = new LinkedHashSet<>();
        for (Rule r : rules) {
            if (r.condition() != null) {
                out.add(r.condition().field());
            }
            for (String f : r.result().fields()) {
                out.add(new FieldRef(f, f, false, Values.Type.AUTO));
            }
        }
        return out;
    }

    /** True when every rule has a fixed result without placeholders. */
    Set<String> fixedResults() {
        Set<String> out = new LinkedHashSet<>();
        for (Rule r : rules) {
            out.add(r.result().isSkip() ? SKIP : r.result().text().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    Outcome evaluate(Record record, Values values) {
        for (Rule rule : rules) {
            Condition c = rule.condition();
            if (c != null) {
                FieldRef f = c.field();
                if (!record.has(f.field()) && !f.optional()) {
                    return new Outcome(null, new RecordProblem(record.position(), f.field(),
                            "is not in the record (" + key + " rule '" + rule.text() + "' needs it; end the name with ? "
                                    + "if records may lack it)"));
                }
                if (!c.holds(values.text(record.get(f.field())))) {
                    continue;
                }
            }
            Template t = rule.result();
            if (t.isSkip()) {
                return new Outcome(SKIP, null);
            }
            StringBuilder b = new StringBuilder(t.parts().get(0));
            for (int i = 0; i < t.fields().size(); i++) {
                String f = t.fields().get(i);
                if (!record.has(f)) {
                    return new Outcome(null, new RecordProblem(record.position(), f,
                            "is not in the record (" + key + " rule '" + rule.text() + "' needs it)"));
                }
                String v = values.text(record.get(f));
                if (v == null || v.isEmpty()) {
                    return new Outcome(null, new RecordProblem(record.position(), f,
                            "is empty, and " + key + " rule '" + rule.text() + "' puts it in the name"));
                }
                b.append(v).append(t.parts().get(i + 1));
            }
            return new Outcome(b.toString(), null);
        }
        StringBuilder seen = new StringBuilder();
        Set<String> named = new LinkedHashSet<>();
        for (Rule r : rules) {
            if (r.condition() != null && named.add(r.condition().field().field())) {
                String v = values.text(record.get(r.condition().field().field()));
                seen.append(seen.length() == 0 ? "" : ", ").append(r.condition().field().field()).append(" is ")
                        .append(v == null || v.isEmpty() ? "empty" : Values.quote(v));
            }
        }
        String field = named.size() == 1 ? named.iterator().next() : null;
        return new Outcome(null, new RecordProblem(record.position(), field, "no rule of " + key + " applies ("
                + seen + "); add a last rule without 'when', or 'skip when ...' to leave such records out"));
    }
}
