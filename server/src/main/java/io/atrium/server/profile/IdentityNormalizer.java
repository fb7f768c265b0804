package io.atrium.server.profile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates identity types and brings identity values to one canonical form, so that the same
 * person written differently is one identity: e-mail trimmed and lower-cased, phone in E.164.
 */
public final class IdentityNormalizer {

    public static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    /** Identity types the hub knows; plugins may use any other type matching {@link #TYPE}. */
    public static final List<String> WELL_KNOWN = List.of("user_id", "anonymous_id", "email", "phone", "viber_id", "crm_id", "erp_id");
    static final int MAX_VALUE_LENGTH = 512;

    private final String defaultCountryCode;

    public IdentityNormalizer(String defaultCountryCode) {
        String cc = defaultCountryCode == null ? "" : defaultCountryCode.trim().replaceFirst("^\\+", "");
        if (!cc.isEmpty() && !cc.matches("[1-9][0-9]{0,2}")) {
            throw new IllegalArgumentException("atrium.profiles.default-phone-country-code must be 1 to 3 digits, e.g. 380; was '" + defaultCountryCode + "'");
        }
        this.defaultCountryCode = cc;
    }

    public static boolean validType(String type) {
        return type != null && TYPE.matcher(type).matches();
    }

    /** The canonical value, or empty when the value is not a valid identity of that type. */
    public Optional<String> normalize(String type, String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.isEmpty() || v.length() > MAX_VALUE_LENGTH) {
            return Optional.empty();
        }
        return switch (type) {
            case "email" -> email(v);
            case "phone" -> phone(v);
            default -> Optional.of(v);
        };
    }

    static Optional<String> email(String v) {
        String e = v.toLowerCase(Locale.ROOT);
        int at = e.indexOf('@');
        if (at <= 0 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        return Optional.of(e);
    }

    Optional<String> phone(String v) {
        String p = v.replaceAll("[\\s\\-().\\u00a0]", "");
        String digits;
        if (p.startsWith("+")) {
            digits = p.substring(1);
        } else if (p.startsWith("00")) {
            digits = p.substring(2);
        } else {
            if (defaultCountryCode.isEmpty() || !p.matches("[0-9]+")) {
                return Optional.empty();
            }
            if (p.startsWith(defaultCountryCode) && p.length() >= 11) {
                digits = p; // already carries the country code, only the '+' is missing
            } else {
                digits = defaultCountryCode + (p.startsWith("0") ? p.substring(1) : p);
            }
        }
        if (!digits.matches("[1-9][0-9]{6,14}")) {
            return Optional.empty();
        }
        return Optional.of("+" + digits);
    }
}
