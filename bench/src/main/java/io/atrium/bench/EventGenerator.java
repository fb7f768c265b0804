package io.atrium.bench;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Realistic Segment events for a population of people, written straight into a StringBuilder
 * (the bench shares two cores with the hub, so making events must cost next to nothing).
 *
 * <p>Person {@code i} always has the same anonymous id, e-mail and phone; 70 % of the people are
 * logged in (they send a {@code userId} with their anonymous id), the others are anonymous. The mix
 * is about 55 % page views, 35 % track events (e-commerce), 10 % identify calls with traits;
 * properties, traits and context are a few hundred bytes each, as a browser SDK sends them.
 * The same generator writes the rows of the raw COPY measurement, so both carry the same JSON.
 */
final class EventGenerator {

    private static final String[] FIRST = {"anna", "oleh", "maria", "ivan", "olena", "taras", "iryna", "petro", "sofia", "andrii"};
    private static final String[] LAST = {"koval", "shevchenko", "bondarenko", "tkachenko", "kravets", "melnyk", "boyko", "moroz"};
    private static final String[] CITY = {"Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro", "Vinnytsia"};
    private static final String[] PLAN = {"free", "silver", "gold", "platinum"};
    private static final String[] CATEGORY = {"Shoes", "Jackets", "Accessories", "Kids", "Sport", "Home"};
    private static final String[] BRAND = {"Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip"};
    private static final String[] TRACK = {"Product Viewed", "Product Viewed", "Product Viewed", "Product Added",
            "Cart Viewed", "Checkout Started", "Order Completed", "Product List Filtered"};
    private static final String[] PAGE = {"Home", "Catalog", "Product", "Cart", "Checkout", "Search", "Account", "Blog"};
    private static final String[] AGENT = {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"};

    private final int users;
    private final SplittableRandom random;

    EventGenerator(int users, long seed) {
        this.users = users;
        this.random = new SplittableRandom(seed);
    }

    /** One event, decided and ready to be written as Segment JSON or as a COPY row. */
    static final class Event {
        String messageId;
        String type;
        String event;      // track
        String name;       // page
        String userId;     // null when anonymous
        String anonymousId;
        String timestamp;
        String traits = "{}";
        String properties = "{}";
        String context;
        int person;
    }

    Event next(long nowMillis) {
        Event e = new Event();
        int person = random.nextInt(users);
        e.person = person;
        boolean known = person % 10 < 7;
        e.messageId = new UUID(random.nextLong(), random.nextLong()).toString();
        e.anonymousId = anonymousId(person);
        e.userId = known ? "user-" + person : null;
        e.timestamp = Instant.ofEpochMilli(nowMillis - random.nextInt(2_000)).toString();
        int roll = random.nextInt(100);
        String page = PAGE[random.nextInt(PAGE.length)];
        String path = "/" + page.toLowerCase() + (page.equals("Product") ? "/sku-" + random.nextInt(5_000) : "");
        e.context = context(person, page, path);
        if (roll < 55) {
            e.type = "page";
            e.name = page;
            e.properties = "{\"path\":\"" + path + "\",\"url\":\"https://shop.example.com" + path
                    + "\",\"title\":\"" + page + " | Example Shop\",\"referrer\":\"https://www.google.com/\",\"search\":\"\""
                    + ",\"category\":\"" + CATEGORY[person % CATEGORY.length] + "\",\"keywords\":[\"spring\",\"sale\"]}";
        } else if (roll < 90 || !known) {
            e.type = "track";
            e.event = TRACK[random.nextInt(TRACK.length)];
            int sku = random.nextInt(5_000);
            e.properties = "{\"product_id\":\"p-" + sku + "\",\"sku\":\"SKU-" + sku + "-" + (sku % 7)
                    + "\",\"name\":\"" + BRAND[sku % BRAND.length] + " item " + sku + "\",\"category\":\"" + CATEGORY[sku % CATEGORY.length]
                    + "\",\"brand\":\"" + BRAND[sku % BRAND.length] + "\",\"variant\":\"size " + (36 + sku % 10)
                    + "\",\"price\":" + (100 + sku % 900) + ".99,\"currency\":\"UAH\",\"quantity\":" + (1 + random.nextInt(3))
                    + ",\"position\":" + random.nextInt(40) + ",\"url\":\"https://shop.example.com/product/sku-" + sku
                    + "\",\"image_url\":\"https://cdn.example.com/img/sku-" + sku + ".jpg\"}";
        } else {
            e.type = "identify";
            String first = FIRST[person % FIRST.length];
            String last = LAST[(person / FIRST.length) % LAST.length];
            e.traits = "{\"email\":\"" + email(person) + "\",\"phone\":\"" + phone(person) + "\",\"firstName\":\"" + capital(first)
                    + "\",\"lastName\":\"" + capital(last) + "\",\"plan\":\"" + PLAN[person % PLAN.length] + "\",\"city\":\""
                    + CITY[person % CITY.length] + "\",\"country\":\"UA\",\"createdAt\":\"2024-0" + (1 + person % 9)
                    + "-15T10:00:00Z\",\"consents\":{\"email\":{\"marketing\":" + (person % 3 != 0) + "}}}";
        }
        return e;
    }

    /** The event as an item of a Segment batch. */
    static void writeSegment(Event e, StringBuilder out) {
        out.append("{\"type\":\"").append(e.type).append("\",\"messageId\":\"").append(e.messageId)
                .append("\",\"anonymousId\":\"").append(e.anonymousId).append('"');
        if (e.userId != null) {
            out.append(",\"userId\":\"").append(e.userId).append('"');
        }
        if (e.event != null) {
            out.append(",\"event\":\"").append(e.event).append('"');
        }
        if (e.name != null) {
            out.append(",\"name\":\"").append(e.name).append('"');
        }
        out.append(",\"timestamp\":\"").append(e.timestamp).append('"');
        if (!"{}".equals(e.properties)) {
            out.append(",\"properties\":").append(e.properties);
        }
        if (!"{}".equals(e.traits)) {
            out.append(",\"traits\":").append(e.traits);
        }
        out.append(",\"context\":").append(e.context).append('}');
    }

    /**
     * The event as a COPY text row of the scratch table, columns
     * {@code message_id, profile_id, type, event, name, user_id, anonymous_id, timestamp, sent_at,
     * received_at, source, traits, properties, context, identities}.
     */
    static void writeCopyRow(Event e, String source, String now, StringBuilder out) {
        out.append(e.messageId).append('\t').append(e.person + 1).append('\t').append(e.type).append('\t');
        copyText(e.event, out).append('\t');
        copyText(e.name, out).append('\t');
        copyText(e.userId, out).append('\t');
        copyText(e.anonymousId, out).append('\t');
        out.append(e.timestamp).append('\t').append(now).append('\t').append(now).append('\t').append(source).append('\t');
        copyText(e.traits, out).append('\t');
        copyText(e.properties, out).append('\t');
        copyText(e.context, out).append('\t').append("{}").append('\n');
    }

    private static StringBuilder copyText(String value, StringBuilder out) {
        if (value == null) {
            return out.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }

    private String context(int person, String page, String path) {
        return "{\"ip\":\"10." + (person >> 16 & 255) + "." + (person >> 8 & 255) + "." + (person & 255)
                + "\",\"locale\":\"uk-UA\",\"timezone\":\"Europe/Kyiv\",\"userAgent\":\"" + AGENT[person % AGENT.length]
                + "\",\"library\":{\"name\":\"analytics.js\",\"version\":\"next-1.70.0\"},\"page\":{\"path\":\"" + path
                + "\",\"url\":\"https://shop.example.com" + path + "\",\"title\":\"" + page
                + " | Example Shop\",\"referrer\":\"https://www.google.com/\"},\"screen\":{\"width\":1920,\"height\":1080}}";
    }

    static String anonymousId(int person) {
        long h = person * 0x9E3779B97F4A7C15L;
        return new UUID(h ^ 0x5DEECE66DL, Long.rotateLeft(h, 17) ^ 0xBB67AE8584CAA73BL).toString();
    }

    static String email(int person) {
        return FIRST[person % FIRST.length] + "." + LAST[(person / FIRST.length) % LAST.length] + person + "@example.com";
    }

    static String phone(int person) {
        return "+38067" + String.format("%07d", person);
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
