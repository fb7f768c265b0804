package io.atrium.plugins.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The HTTP statuses that mean "accepted": {@code 2xx}, {@code 200,202}, {@code 200-299}, or a mix. */
final class AcceptedStatus {

    private record Range(int from, int to) {
    }

    private final List<Range> ranges;
    private final String text;

    private AcceptedStatus(List<Range> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    /** @throws IllegalArgumentException saying what is wrong (the caller adds the key) */
    static AcceptedStatus parse(String text) {
        List<Range> ranges = new ArrayList<>();
        for (String raw : text.split(",")) {
            String part = raw.strip().toLowerCase(Locale.ROOT);
            if (part.isEmpty()) {
                continue;
            }
            if (part.matches("[1-5]xx")) {
                int c = (part.charAt(0) - '0') * 100;
                ranges.add(new Range(c, c + 99));
            } else if (part.matches("[1-5][0-9]{2}")) {
                int c = Integer.parseInt(part);
                ranges.add(new Range(c, c));
            } else if (part.matches("[1-5][0-9]{2}-[1-5][0-9]{2}")) {
                int a = Integer.parseInt(part.substring(0, 3));
                int b = Integer.parseInt(part.substring(4));
                if (a > b) {
                    throw new IllegalArgumentException("has the range '" + part + "' that ends before it starts");
                }
                ranges.add(new Range(a, b));
            } else {
                throw new IllegalArgumentException("expects HTTP statuses such as 2xx, 200,202 or 200-299, got '" + raw.strip() + "'");
            }
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("names no HTTP status");
        }
        return new AcceptedStatus(List.copyOf(ranges), text.strip());
    }

    boolean accepts(int status) {
        for (Range r : ranges) {
            if (status >= r.from && status <= r.to) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
