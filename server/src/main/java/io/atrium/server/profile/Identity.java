package io.atrium.server.profile;

/** A typed, normalised identifier of a person. */
public record Identity(String type, String value) implements Comparable<Identity> {

    @Override
    public int compareTo(Identity o) {
        int c = type.compareTo(o.type);
        return c != 0 ? c : value.compareTo(o.value);
    }

    /** Key for PostgreSQL advisory locks: two identities rarely share one, and sharing only serialises. */
    long lockKey() {
        long h = 1125899906842597L;
        String s = type + '\u0000' + value;
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }
}
