package io.atrium.plugins.crm;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.Lease;
import io.atrium.plugin.api.PluginConfig;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRM connector, both ways. In: contacts, deals and activities (calls, meetings, notes) become
 * identify and track events, by polling the CRM for changes since a durable cursor and by its
 * signed webhooks. Out: segment entries and exits set contact properties and list memberships, and
 * the {@code crm-task} channel turns campaign messages into tasks for sales managers. HubSpot CRM v3
 * as documented, or a generic REST/webhook CRM described by the configuration.
 */
@Extension
public class CrmConnector implements Connector {

    private static final Logger LOG = LoggerFactory.getLogger(CrmConnector.class);

    static final String CHANNEL = "crm-task";
    static final String ADDRESS_TYPE = Identities.CRM_ID;
    static final String WEBHOOK_ROUTE = "crm-plugin-webhook";
    static final String SEGMENT_ROUTE = "crm-segment-push";
    static final String POLL_LEASE = "poll";

    private final Clock clock;
    private volatile ScheduledExecutorService scheduler;
    private volatile Poller poller;

    public CrmConnector() {
        this(Clock.systemUTC());
    }

    CrmConnector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ConfigSpec configSpec() {
        return CrmConfig.SPEC;
    }

    /**
     * The rules between keys ({@link CrmConfig#check}), each problem with its key, for the hub to
     * report before start and for the console to show at the field. Reaches no CRM.
     */
    @Override
    public List<ConfigProblem> validate(PluginConfig config) {
        return CrmConfig.check(config);
    }

    @Override
    public void start(ConnectorContext ctx) throws Exception {
        CrmSettings s = CrmConfig.parse(ctx.config());
        LOG.info("crm: starting in {} mode with {}", s.hubspot() ? "hubspot" : "generic", CrmConfig.shown(ctx.config()));
        ApiClient client = s.hubspot() ? ApiClient.hubspot(s) : ApiClient.generic(s);
        HubSpotApi api = new HubSpotApi(client);
        if (s.hubspot()) {
            checkAccess(api);
        }

        SyncState state = SyncState.open(ctx.state(), ctx.dataDirectory(), (s.hubspot() ? "hubspot " : "generic ") + s.apiUrl(),
                s.pollStart().resolve(clock.instant()));
        EventMapping mapping = new EventMapping(s.hubspot() ? "hubspot" : "generic");
        SyncProcessor processor = new SyncProcessor(ctx.events(), state, mapping);
        HubSpotRecords hubspotRecords = new HubSpotRecords(s.contactTraits());
        GenericRecords genericRecords = s.hubspot() ? null
                : new GenericRecords(s.generic().contactFields(), s.generic().dealFields());
        HubSpotSource hubspotSource = s.hubspot() ? new HubSpotSource(api, hubspotRecords) : null;
        CrmSource source = s.hubspot() ? hubspotSource : new GenericSource(client, s, genericRecords);

        // Out, 1: tasks for sales managers as a campaign step.
        if (s.hubspot() || s.generic().taskUrl() != null) {
            ctx.registerChannel(CHANNEL, ChannelOptions.addressedBy(ADDRESS_TYPE).ratePerSecond(s.ratePerSecond())
                    .idempotent(false).internal(true), new TaskSender(client, s, clock));
        } else {
            LOG.info("crm: {} is not set, so there is no {} channel", CrmConfig.G_TASK_URL, CHANNEL);
        }

        // In, 1: webhooks.
        if (s.clientSecret() == null) {
            LOG.info("crm: {} is not set, so no webhook is served; changes come by polling only", CrmConfig.CLIENT_SECRET);
        } else if (s.hubspot()) {
            HubSpotWebhook webhook = new HubSpotWebhook(new HubSpotSignature(s.clientSecret(), clock), hubspotSource,
                    processor);
            String publicBase = stripSlash(ctx.publicUrl());
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("platform-http:" + s.webhookPath() + "?httpMethodRestrict=POST").routeId(WEBHOOK_ROUTE)
                            .process(exchange -> {
                                Message in = exchange.getMessage();
                                String query = in.getHeader(Exchange.HTTP_RAW_QUERY, String.class);
                                String uri = publicBase + s.webhookPath() + (query == null || query.isEmpty() ? "" : "?" + query);
                                HubSpotWebhook.Response r = webhook.handle("POST", uri, rawBody(in),
                                        in.getHeader(HubSpotSignature.HEADER, String.class),
                                        in.getHeader(HubSpotSignature.TIMESTAMP, String.class));
                                answer(in, r);
                            });
                }
            });
            LOG.info("crm: HubSpot webhooks are served at {}{} (set it as the app's target URL)", publicBase,
                    s.webhookPath());
        } else {
            GenericWebhook webhook = new GenericWebhook(s.clientSecret(), genericRecords, s.generic().resultsPointer(),
                    processor);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    for (ObjectType type : new ObjectType[] {ObjectType.CONTACTS, ObjectType.DEALS}) {
                        from("platform-http:" + s.webhookPath() + "/" + type.plural() + "?httpMethodRestrict=POST")
                                .routeId(WEBHOOK_ROUTE + "-" + type.plural())
                                .process(exchange -> {
                                    Message in = exchange.getMessage();
                                    answer(in, webhook.handle(type, rawBody(in),
                                            in.getHeader(s.generic().signatureHeader(), String.class)));
                                });
                    }
                }
            });
        }

        // Out, 2: segment membership.
        if (!s.segmentRules().isEmpty()) {
            SegmentPush push = s.hubspot()
                    ? new HubSpotSegmentPush(api, s.segmentRules(), s.createContacts(), ctx.events(), mapping)
                    : new GenericSegmentPush(client, s);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // A failure goes back to the endpoint as it is (the hub's broker then delivers the
                    // segment event again with backoff), logged once here rather than by Camel's handler.
                    errorHandler(noErrorHandler());
                    from(s.segmentEventsUri()).routeId(SEGMENT_ROUTE)
                            .process(exchange -> {
                                SegmentEvent event;
                                try {
                                    event = SegmentEvent.from(exchange.getMessage().getBody());
                                } catch (IllegalArgumentException e) {
                                    LOG.error("crm: a segment event that cannot be read is dropped: {}", e.getMessage());
                                    return;
                                }
                                SegmentPush.Outcome outcome;
                                try {
                                    outcome = push.push(event);
                                } catch (SegmentPush.RetryLater e) {
                                    LOG.warn(e.getMessage());
                                    throw e;
                                }
                                exchange.getMessage().setHeader("CrmSegmentPushOutcome", outcome.name());
                            });
                }
            });
        }

        // In, 2: polling.
        if (!s.pollObjects().isEmpty()) {
            // One hub node of a cluster polls at a time: the one holding this lease.
            Lease lease = ctx.lease(POLL_LEASE);
            Poller p = new Poller(source, processor, state, s.pollObjects(), s.pollStart(), s.pollLag(), clock,
                    s.crmName(), lease::isHeld);
            poller = p;
            ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "crm-poll");
                t.setDaemon(true);
                return t;
            });
            scheduler = ex;
            ex.scheduleWithFixedDelay(p::pollAll, 0, s.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("crm: polling {} every {} for {} (on the hub node that holds lease '{}')", s.crmName(),
                    Json.human(s.pollInterval()), s.pollObjects(), POLL_LEASE);
        }
    }

    /** At start: a wrong token or missing scope fails the start (naming the key); an unreachable HubSpot does not. */
    private static void checkAccess(HubSpotApi api) {
        try {
            api.checkAccess();
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.HTTP && (e.status() == 401 || e.status() == 403)) {
                throw new IllegalStateException("crm: HubSpot refused key '" + CrmConfig.ACCESS_TOKEN + "': "
                        + e.getMessage() + (e.status() == 403 ? " (the private app needs the crm.objects.contacts.read "
                        + "and .write, crm.objects.deals.read and crm.lists.write scopes it uses)" : ""), e);
            }
            if (e.kind() == ApiException.Kind.HTTP && e.status() == 404) {
                throw new IllegalStateException("crm: " + e.getMessage() + "; check key '" + CrmConfig.API_URL + "'", e);
            }
            LOG.warn("crm: HubSpot could not be reached at start ({}); starting anyway, polling and sending try again",
                    e.getMessage());
        }
    }

    /** Polls now, for tests; null when not polling. */
    Poller poller() {
        return poller;
    }

    @Override
    public void stop() throws Exception {
        ScheduledExecutorService ex = scheduler;
        scheduler = null;
        if (ex != null) {
            ex.shutdownNow();
            if (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("crm: the poll did not end within 10 s of stop");
            }
        }
    }

    private static byte[] rawBody(Message in) {
        byte[] b = in.getBody(byte[].class);
        return b == null ? new byte[0] : b;
    }

    private static void answer(Message in, HubSpotWebhook.Response r) {
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, r.status());
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(r.body());
    }

    private static String stripSlash(String s) {
        String t = s == null ? "" : s.strip();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
