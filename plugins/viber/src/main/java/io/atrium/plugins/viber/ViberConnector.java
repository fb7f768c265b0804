package io.atrium.plugins.viber;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.SendResult;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Viber channel: sends the hub's messages through the Viber REST Bot API
 * ({@code send_message}), serves Viber's signed callbacks on a platform-http webhook and reports
 * them as statuses, replies and opt-outs, registers that webhook with {@code set_webhook} on
 * start, and contributes the {@code viber:} Camel component.
 */
@Extension
public class ViberConnector implements Connector {

    private static final Logger LOG = LoggerFactory.getLogger(ViberConnector.class);

    static final String CHANNEL = "viber";
    static final String ADDRESS_TYPE = "viber_id";
    static final String ROUTE_ID = "viber-webhook";

    static final String AUTH_TOKEN = "auth-token";
    static final String API_URL = "api-url";
    static final String SENDER_NAME = "sender-name";
    static final String SENDER_AVATAR = "sender-avatar";
    static final String MIN_API_VERSION = "min-api-version";
    static final String WEBHOOK_PATH = "webhook-path";
    static final String REGISTER_WEBHOOK = "register-webhook";
    static final String REQUEST_TIMEOUT = "request-timeout";
    static final String RATE_PER_SECOND = "rate-per-second";

    static final ConfigSpec SPEC = ConfigSpec.of(
            ConfigKey.of(AUTH_TOKEN, ConfigType.STRING).required().secret()
                    .description("The bot's authentication token (Viber: Settings > Bots > Edit info > Your app key); sent as "
                            + "X-Viber-Auth-Token and the key of the callbacks' signature"),
            ConfigKey.of(API_URL, ConfigType.URL).defaultValue("https://chatapi.viber.com/pa")
                    .description("Base URL of the Viber REST Bot API"),
            ConfigKey.of(SENDER_NAME, ConfigType.STRING).required()
                    .description("Sender name shown with every message (at most 28 characters)"),
            ConfigKey.of(SENDER_AVATAR, ConfigType.URL)
                    .description("URL of the sender avatar shown with every message"),
            ConfigKey.of(MIN_API_VERSION, ConfigType.INT).defaultValue("1")
                    .description("min_api_version of every message: the lowest Viber client API version that may receive it"),
            ConfigKey.of(WEBHOOK_PATH, ConfigType.STRING).defaultValue("/hooks/viber")
                    .description("HTTP path on the hub where Viber posts its callbacks"),
            ConfigKey.of(REGISTER_WEBHOOK, ConfigType.BOOLEAN).defaultValue("true")
                    .description("On start, register the hub's public URL + webhook-path with Viber (set_webhook)"),
            ConfigKey.of(REQUEST_TIMEOUT, ConfigType.DURATION).defaultValue("10s")
                    .description("Connect and answer timeout of every call to the Viber API"),
            ConfigKey.of(RATE_PER_SECOND, ConfigType.DOUBLE).defaultValue("50")
                    .description("At most this many messages per second per hub node (0: no limit)"));

    /** First wait before set_webhook is tried again after Viber could not be reached; doubles up to 5 minutes. */
    private final Duration firstRetryDelay;
    private volatile ScheduledExecutorService retries;
    private volatile boolean stopped;

    public ViberConnector() {
        this(Duration.ofSeconds(15));
    }

    ViberConnector(Duration firstRetryDelay) {
        this.firstRetryDelay = firstRetryDelay;
    }

    @Override
    public ConfigSpec configSpec() {
        return SPEC;
    }

    @Override
    public void start(ConnectorContext ctx) throws Exception {
        stopped = false;
        ViberSettings settings = ViberSettings.from(ctx.config());
        LOG.info("viber: starting with {}", ctx.config().masked());
        ViberClient client = new ViberClient(settings);

        ChannelFeedback feedback = ctx.registerChannel(CHANNEL,
                ChannelOptions.addressedBy(ADDRESS_TYPE).ratePerSecond(settings.ratePerSecond()).idempotent(false),
                message -> SendResult.accepted(client.sendText(message.to(), message.text(), message.id())));

        ViberWebhook webhook = new ViberWebhook(new ViberSignature(settings.authToken()), feedback);
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:" + settings.webhookPath() + "?httpMethodRestrict=POST")
                        .routeId(ROUTE_ID)
                        .process(exchange -> {
                            var in = exchange.getMessage();
                            ViberWebhook.Response r = webhook.handle(in.getBody(byte[].class),
                                    in.getHeader(ViberSignature.HEADER, String.class));
                            in.removeHeaders("*");
                            in.setHeader(Exchange.HTTP_RESPONSE_CODE, r.httpStatus());
                            in.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
                            in.setBody(r.body());
                        });
            }
        });

        ctx.addComponent(CHANNEL, new ViberComponent(client));

        if (settings.registerWebhook()) {
            registerWebhook(ctx, client, settings);
        } else {
            LOG.info("viber: register-webhook is false; Viber must already post to {}{}", ctx.publicUrl(),
                    settings.webhookPath());
        }
    }

    /**
     * Calls set_webhook once, now (the route is up: Viber checks the URL before it answers). A
     * non-zero status fails the start; when Viber cannot be reached the webhook Viber already has is
     * kept and the call is tried again in the background.
     */
    private void registerWebhook(ConnectorContext ctx, ViberClient client, ViberSettings settings) {
        String base = ctx.publicUrl();
        if (base == null || base.isBlank()) {
            throw new IllegalStateException("viber: key '" + REGISTER_WEBHOOK + "' is true but the hub has no public URL"
                    + " (atrium.public-url) to give Viber; set it, or set register-webhook: false");
        }
        String url = stripSlash(base) + settings.webhookPath();
        if (!url.toLowerCase(java.util.Locale.ROOT).startsWith("https://")) {
            LOG.warn("viber: the webhook URL {} is not https; Viber accepts only https URLs with a certificate of a trusted CA",
                    url);
        }
        try {
            checkWebhookReply(url, client.setWebhook(url));
        } catch (ViberClient.HttpStatusException e) {
            if (!ViberClient.isTransientHttpStatus(e.httpStatus())) {
                throw new IllegalStateException("viber: set_webhook for " + url + " failed: " + e.getMessage()
                        + "; check key '" + API_URL + "' (" + settings.method("set_webhook") + ")", e);
            }
            LOG.warn("viber: Viber could not register the webhook {} ({}); Viber keeps the webhook it has,"
                    + " and set_webhook is tried again in {}", url, e.getMessage(), firstRetryDelay);
            scheduleRetry(client, url, firstRetryDelay);
        } catch (IOException e) {
            LOG.warn("viber: could not reach Viber to register the webhook {} ({}); Viber keeps the webhook it has,"
                    + " and set_webhook is tried again in {}", url, e.getMessage(), firstRetryDelay);
            scheduleRetry(client, url, firstRetryDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("viber: interrupted while registering the webhook " + url, e);
        }
    }

    private static void checkWebhookReply(String url, ViberClient.Reply reply) {
        if (!reply.ok()) {
            throw new IllegalStateException("viber: set_webhook for " + url + " failed: "
                    + ViberStatus.describe(reply.status(), reply.statusMessage())
                    + (reply.status() == ViberStatus.INVALID_URL.code()
                    ? " (Viber must reach that URL over https with a trusted certificate and get HTTP 200)" : ""));
        }
        LOG.info("viber: webhook registered: {} for {}", url, ViberClient.EVENT_TYPES);
    }

    private synchronized void scheduleRetry(ViberClient client, String url, Duration delay) {
        if (stopped) {
            return;
        }
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "viber-set-webhook");
                t.setDaemon(true);
                return t;
            });
        }
        retries.schedule(() -> {
            try {
                ViberClient.Reply reply = client.setWebhook(url);
                if (reply.ok()) {
                    LOG.info("viber: webhook registered: {} for {}", url, ViberClient.EVENT_TYPES);
                } else {
                    LOG.error("viber: set_webhook for {} failed: {}; not tried again", url,
                            ViberStatus.describe(reply.status(), reply.statusMessage()));
                }
            } catch (IOException e) {
                Duration next = delay.multipliedBy(2).compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5)
                        : delay.multipliedBy(2);
                LOG.warn("viber: still cannot reach Viber to register the webhook ({}); next try in {}", e.getMessage(), next);
                scheduleRetry(client, url, next);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("viber: set_webhook for {} failed", url, e);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (retries != null) {
            retries.shutdownNow();
            retries = null;
        }
    }

    private static String stripSlash(String s) {
        String t = s.strip();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
