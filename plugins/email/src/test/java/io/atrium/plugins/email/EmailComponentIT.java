package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;

import io.atrium.plugin.api.SendException;
import io.atrium.plugin.testkit.TestConnectorContext;

import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code email:} component from YAML routes, against GreenMail. */
class EmailComponentIT {

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withPerMethodLifecycle(true);

    private static TestConnectorContext started() throws Exception {
        TestConnectorContext ctx = TestConnectorContext.forPlugin("email", Map.of(
                "smtp-host", "127.0.0.1", "smtp-port", GREENMAIL.getSmtp().getPort(), "smtp-security", "none",
                "from", "alerts@atrium.test", "from-name", "Atrium Alerts"));
        ctx.start(new EmailConnector());
        // Routes as IT writes them in the hub's routes folder.
        PluginHelper.getRoutesLoader(ctx.camelContext()).loadRoutes(ResourceHelper.fromString("it-routes.yaml", """
                - route:
                    id: it-import-failed
                    from:
                      uri: direct:import-failed
                      steps:
                        - setBody:
                            simple: "Import ${header.file} failed: ${header.rows} rows rejected."
                        - to: email:send?to=ops@atrium.test&subject=Import+failed
                - route:
                    id: it-notify
                    from:
                      uri: direct:notify
                      steps:
                        - to: email:send
                """));
        return ctx;
    }

    @Test
    void aRouteSendsTheBodyAsTheTextToTheOptionsRecipient() throws Exception {
        try (TestConnectorContext ctx = started()) {
            ProducerTemplate template = ctx.camelContext().createProducerTemplate();
            Exchange done = template.request("direct:import-failed", e -> {
                e.getIn().setHeader("file", "orders.csv");
                e.getIn().setHeader("rows", 3);
            });
            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getHeader(EmailConstants.MESSAGE_ID, String.class)).startsWith("<route-").endsWith("@atrium>");

            await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length == 1);
            MimeMessage got = GREENMAIL.getReceivedMessages()[0];
            assertThat(got.getAllRecipients()).extracting(Object::toString).containsExactly("ops@atrium.test");
            assertThat(got.getSubject()).isEqualTo("Import failed");
            assertThat(((InternetAddress) got.getFrom()[0]).getPersonal()).isEqualTo("Atrium Alerts");
            assertThat(got.getContentType()).startsWith("text/plain");
            assertThat(got.getContent().toString()).isEqualTo("Import orders.csv failed: 3 rows rejected.");
            assertThat(got.getMessageID()).isEqualTo(done.getMessage().getHeader(EmailConstants.MESSAGE_ID));
            template.close();
        }
    }

    @Test
    void headersSetTheRecipientsTheSubjectAndAnHtmlPart() throws Exception {
        try (TestConnectorContext ctx = started()) {
            ProducerTemplate template = ctx.camelContext().createProducerTemplate();
            template.sendBodyAndHeaders("direct:notify", "Daily report is ready.", Map.of(
                    EmailConstants.TO, "ops@atrium.test, sales@atrium.test",
                    EmailConstants.SUBJECT, "Daily report",
                    EmailConstants.HTML, "<p>Daily report is <b>ready</b>.</p>"));
            await().atMost(Duration.ofSeconds(10)).until(() -> GREENMAIL.getReceivedMessages().length == 2);
            MimeMessage got = GREENMAIL.getReceivedMessages()[0];
            assertThat(Arrays.stream(got.getAllRecipients()).map(Object::toString))
                    .containsExactly("ops@atrium.test", "sales@atrium.test");
            assertThat(got.getSubject()).isEqualTo("Daily report");
            Multipart parts = (Multipart) got.getContent();
            assertThat(parts.getBodyPart(0).getContent().toString()).isEqualTo("Daily report is ready.");
            assertThat(parts.getBodyPart(1).getContent().toString()).isEqualTo("<p>Daily report is <b>ready</b>.</p>");
            template.close();
        }
    }

    @Test
    void aMissingRecipientFailsTheExchange() throws Exception {
        try (TestConnectorContext ctx = started()) {
            ProducerTemplate template = ctx.camelContext().createProducerTemplate();
            assertThatThrownBy(() -> template.sendBody("direct:notify", "no one to tell"))
                    .isInstanceOf(CamelExecutionException.class)
                    .hasCauseInstanceOf(SendException.class)
                    .hasRootCauseMessage("email:send needs a recipient: the 'to' option or header");
            template.close();
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void unknownOptionsAndPathsAreRefused() throws Exception {
        try (TestConnectorContext ctx = started()) {
            assertThatThrownBy(() -> ctx.camelContext().getEndpoint("email:send?to=a@atrium.test&subjct=typo"))
                    .isInstanceOf(ResolveEndpointFailedException.class)
                    .hasMessageContaining("subjct");
            assertThatThrownBy(() -> ctx.camelContext().getEndpoint("email:receive"))
                    .isInstanceOf(ResolveEndpointFailedException.class)
                    .hasStackTraceContaining("the only one is email:send");
        }
    }
}
