package io.atrium.server.routes;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.model.RouteDefinition;

/** Finds where in a YAML route file an error points: from the YAML parser's mark, Camel's source location, or the text. */
final class ErrorLocation {

    private static final Pattern LINE_COLUMN = Pattern.compile("line (\\d+), column (\\d+)");
    private static final Pattern SOURCE = Pattern.compile("\\(source: [^)]*?:(\\d+)\\)");
    private static final Pattern SCHEME = Pattern.compile("(?:No component found with scheme: |No endpoint could be found for: )([\\w+.-]+)");
    private static final Pattern AT_NODE = Pattern.compile(">>> \\w+\\[([^\\]]+)\\] <<<");
    private static final Pattern ENDPOINT = Pattern.compile("Failed to resolve endpoint: ([\\w+.-]+:[^\\s]*)");

    record Location(Integer line, Integer column) {
    }

    private ErrorLocation() {
    }

    static Location find(Throwable error, String text, List<RouteDefinition> definitions) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            Location mark = mark(t);
            if (mark != null) {
                return mark;
            }
        }
        seen.clear();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            Matcher m = LINE_COLUMN.matcher(msg);
            if (m.find()) {
                return new Location(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        }
        seen.clear();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            String needle = null;
            Matcher m = SCHEME.matcher(msg);
            if (m.find()) {
                needle = m.group(1) + ":";
            } else if ((m = AT_NODE.matcher(msg)).find() && lineContaining(text, m.group(1)) != null) {
                needle = m.group(1);
            } else if ((m = ENDPOINT.matcher(msg)).find()) {
                needle = m.group(1);
                int q = needle.indexOf('?');
                needle = q > 0 ? needle.substring(0, q) : needle;
            }
            if (needle != null) {
                Integer line = lineContaining(text, needle);
                if (line != null) {
                    return new Location(line, null);
                }
            }
        }
        seen.clear();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            Matcher m = SOURCE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return new Location(Integer.parseInt(m.group(1)), null);
            }
            if (t instanceof FailedToCreateRouteException f && f.getRouteId() != null && definitions != null) {
                for (RouteDefinition d : definitions) {
                    if (f.getRouteId().equals(d.getRouteId()) && d.getLineNumber() > 0) {
                        return new Location(d.getLineNumber(), null);
                    }
                }
            }
        }
        return new Location(null, null);
    }

    /** snakeyaml-engine's MarkedYamlEngineException (and Camel's subclasses) carry the problem's line, 0-based. */
    private static Location mark(Throwable t) {
        try {
            Method m = t.getClass().getMethod("getProblemMark");
            Object mark = m.invoke(t);
            if (mark instanceof Optional<?> o) {
                mark = o.orElse(null);
            }
            if (mark == null) {
                Method c = t.getClass().getMethod("getContextMark");
                mark = c.invoke(t);
                if (mark instanceof Optional<?> o) {
                    mark = o.orElse(null);
                }
            }
            if (mark == null) {
                return null;
            }
            int line = (Integer) mark.getClass().getMethod("getLine").invoke(mark);
            int column = (Integer) mark.getClass().getMethod("getColumn").invoke(mark);
            return new Location(line + 1, column + 1);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Integer lineContaining(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        return null;
    }
}
