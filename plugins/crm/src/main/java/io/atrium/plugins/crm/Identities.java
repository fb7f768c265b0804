package io.atrium.plugins.crm;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How CRM values become the hub's identities: {@code email} lower-case, {@code phone} E.164. A CRM's
 * phone field is free text ("+1 (617) 555-0100", "0044 20 7946 0958"); what cannot be read as an
 * international number stays a trait and is not an identity (the sms channel needs E.164).
 */
final class Identities {

    static final String CRM_ID = "crm_id";
    static final String EMAIL = "email";
    static final String PHONE = "phone";

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s().\\-/]");
    private static final Pattern EMAIL_SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+");

    private Identities() {
    }

    /** The e-mail address lower-cased, or null when it is blank or has no single '@'. */
    static String email(String raw) {
        if (raw == null) {
            return null;
        }
        String e = raw.strip().toLowerCase(Locale.ROOT);
        return EMAIL_SHAPE.matcher(e).matches() ? e : null;
    }

    /** The number as E.164 ({@code +} and 7 to 15 digits), {@code 00} read as {@code +}; null otherwise. */
    static String e164(String raw) {
        if (raw == null) {
            return null;
        }
        String n = SEPARATORS.matcher(raw.strip()).replaceAll("");
        if (n.startsWith("00")) {
            n = "+" + n.substring(2);
        }
        return E164.matcher(n).matches() ? n : null;
    }
}
