package io.atrium.server.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.server.intake.EventIntake;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The links the hub puts in messages (open, no authentication: the message id is the capability):
 * {@code GET /t/o/{id}.gif} the open pixel ({@code opened}), {@code GET /t/c/{id}/{n}} a tracked link
 * ({@code clicked}, then a redirect to the message's own n-th link: never an open redirect), and
 * {@code /t/u/{id}} unsubscribe: GET shows a confirmation page (so that mail scanners following
 * links do not unsubscribe anyone), POST unsubscribes (the page's button, and RFC 8058 one-click).
 */
@RestController
public class TrackingController {

    private static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private final MessageStore store;
    private final EventIntake intake;

    public TrackingController(MessageStore store, EventIntake intake) {
        this.store = store;
        this.intake = intake;
    }

    @GetMapping("/t/o/{id}.gif")
    public ResponseEntity<byte[]> open(@PathVariable String id) {
        store.find(id).ifPresent(m -> store.record(m.id(), "hub-" + id + "-opened", MessageStatus.OPENED, null, null,
                Instant.now(), Map.of("via", "pixel")));
        return ResponseEntity.ok().contentType(MediaType.IMAGE_GIF).cacheControl(CacheControl.noStore()).body(PIXEL);
    }

    @GetMapping("/t/c/{id}/{n}")
    public ResponseEntity<String> click(@PathVariable String id, @PathVariable int n) {
        Optional<MessageStore.Row> m = store.find(id);
        if (m.isEmpty() || n < 0 || n >= m.get().links().size()) {
            return page(HttpStatus.NOT_FOUND, "Link not found", "This link is no longer available.");
        }
        String url = m.get().links().get(n);
        store.record(id, "hub-" + id + "-click-" + n, MessageStatus.CLICKED, null, null, Instant.now(), Map.of("url", url));
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, url).build();
    }

    @GetMapping("/t/u/{id}")
    public ResponseEntity<String> confirm(@PathVariable String id) {
        Optional<MessageStore.Row> m = store.find(id);
        if (m.isEmpty()) {
            return page(HttpStatus.NOT_FOUND, "Link not found", "This unsubscribe link is no longer valid.");
        }
        String channel = HtmlUtils.htmlEscape(m.get().channel());
        return ResponseEntity.ok().contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
                .body(html("Unsubscribe", "<p>Stop receiving " + channel + " messages at "
                        + HtmlUtils.htmlEscape(String.valueOf(m.get().address())) + "?</p>"
                        + "<form method=\"post\"><button type=\"submit\" id=\"unsubscribe\">Unsubscribe</button></form>"));
    }

    @PostMapping("/t/u/{id}")
    public ResponseEntity<String> unsubscribe(@PathVariable String id) {
        Optional<MessageStore.Row> found = store.find(id);
        if (found.isEmpty()) {
            return page(HttpStatus.NOT_FOUND, "Link not found", "This unsubscribe link is no longer valid.");
        }
        MessageStore.Row m = found.get();
        if (m.address() != null && m.addressType() != null) {
            Instant now = Instant.now();
            intake.submit(List.of(Feedback.optOut(m.channel(), ChannelOptions.addressedBy(m.addressType()),
                    m.address(), now, "unsubscribe link of message " + m.id(), "optout-link-" + m.id())));
            store.record(m.id(), "hub-" + m.id() + "-unsubscribed", MessageStatus.UNSUBSCRIBED, null, null, now, Map.of());
        }
        return page(HttpStatus.OK, "Unsubscribed", "You will receive no more " + m.channel() + " messages at this address.");
    }

    private static ResponseEntity<String> page(HttpStatus status, String title, String text) {
        return ResponseEntity.status(status).contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
                .body(html(title, "<p>" + HtmlUtils.htmlEscape(text) + "</p>"));
    }

    private static String html(String title, String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>" + title + "</title></head><body style=\"font-family:sans-serif;max-width:30em;margin:4em auto\">"
                + "<h1>" + title + "</h1>" + body + "</body></html>";
    }
}
