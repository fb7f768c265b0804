package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.Event;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

/** {@code erp:map} from YAML routes as IT writes them, on the plugin's mapping or with its own options. */
class ErpComponentIT {

    static Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("sources", List.of());
        c.put("mapping.event", List.of("order_created when status = new", "order_status_changed"));
        c.put("mapping.identities.erp_id", "customer_id");
        c.put("mapping.properties", List.of("order_id", "status", "total:number"));
        c.put("mapping.message-id", List.of("order_id", "status"));
        return c;
    }

    static Running started(Map<String, Object> config) throws Exception {
        Running r = Running.start(config);
        PluginHelper.getRoutesLoader(r.ctx.camelContext()).loadRoutes(ResourceHelper.fromString("it-routes.yaml", """
                - route:
                    id: it-orders-csv
                    from:
                      uri: direct:orders-csv
                      steps:
                        - unmarshal:
                            csv:
                              useMaps: true
                              delimiter: ";"
                        - to: erp:map
                - route:
                    id: it-customers
                    from:
                      uri: direct:customers
                      steps:
                        - to:
                            uri: erp:map
                            parameters:
                              type: identify
                              identities.erp_id: id
                              identities.email: email
                              traits: name,city?
                              message-id: id
                - route:
                    id: it-lenient
                    from:
                      uri: direct:lenient
                      steps:
                        - to: erp:map?badRecords=skip
                """));
        return r;
    }

    @Test
    void csvFromARouteIsMappedWithThePluginsMapping() throws Exception {
        try (Running r = started(config()); ProducerTemplate t = r.ctx.camelContext().createProducerTemplate()) {
            Exchange done = t.request("direct:orders-csv", e -> e.getIn().setBody(
                    "order_id;customer_id;status;total\n1001;C-1;new;10.5\n1002;C-2;ready;3\n"));
            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getHeader(ErpConstants.SUBMITTED)).isEqualTo(2);
            assertThat(r.ctx.submittedEvents()).extracting(Event::event).containsExactly("order_created", "order_status_changed");
            assertThat(r.ctx.submittedEvents().get(0).context()).containsEntry("erp",
                    Map.of("source", "route", "position", "route record [0]"));
        }
    }

    @Test
    void endpointOptionsReplaceThePluginsMappingForOneRoute() throws Exception {
        try (Running r = started(config()); ProducerTemplate t = r.ctx.camelContext().createProducerTemplate()) {
            t.sendBody("direct:customers", Map.of("id", "C-9", "email", "zoe@example.com", "name", "Zoe"));
            t.sendBody("direct:customers", "[{\"id\": \"C-10\", \"name\": \"Max\", \"city\": \"Lviv\", \"email\": null}]");
            assertThat(r.ctx.submittedEvents()).hasSize(2).allSatisfy(e -> assertThat(e.type()).isEqualTo("identify"));
            assertThat(r.ctx.submittedEvents().get(0).traits()).isEqualTo(Map.of("name", "Zoe"));
            assertThat(r.ctx.submittedEvents().get(0).messageId()).isEqualTo("erp:identify:C-9");
            assertThat(r.ctx.submittedEvents().get(1).traits()).isEqualTo(Map.of("name", "Max", "city", "Lviv"));
            assertThat(r.ctx.submittedEvents().get(1).identities()).isEqualTo(Map.of("erp_id", "C-10"));
        }
    }

    @Test
    void aBadRecordFailsTheExchangeAndNothingIsSubmittedUnlessBadRecordsIsSkip() throws Exception {
        try (Running r = started(config()); ProducerTemplate t = r.ctx.camelContext().createProducerTemplate()) {
            List<Map<String, Object>> rows = List.of(
                    Map.of("order_id", "1", "customer_id", "C-1", "status", "new", "total", "1"),
                    Map.of("order_id", "2", "customer_id", "C-2", "status", "new", "total", "many"));
            assertThatThrownBy(() -> t.sendBody(r.ctx.camelContext().getEndpoint("erp:map"), rows))
                    .isInstanceOf(CamelExecutionException.class).hasCauseInstanceOf(ErpMappingException.class)
                    .hasRootCauseMessage("erp:map: 1 record cannot be mapped; nothing was submitted: route record [1]: "
                            + "field 'total': 'many' is not a number");
            assertThat(r.ctx.submittedEvents()).isEmpty();

            Exchange done = t.request("direct:lenient", e -> e.getIn().setBody(rows));
            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getHeader(ErpConstants.SUBMITTED)).isEqualTo(1);
            assertThat(done.getMessage().getHeader(ErpConstants.REJECTED)).isEqualTo(1);
            assertThat(done.getMessage().getHeader(ErpConstants.PROBLEMS, List.class)).containsExactly(
                    "route record [1]: field 'total': 'many' is not a number");
            assertThat(r.ctx.submittedEvents()).hasSize(1);
        }
    }

    @Test
    void unknownOptionsPathsAndBadValuesAreRefusedNamingThem() throws Exception {
        try (Running r = started(config())) {
            assertThatThrownBy(() -> r.ctx.camelContext().getEndpoint("erp:map?evnt=x"))
                    .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("evnt");
            assertThatThrownBy(() -> r.ctx.camelContext().getEndpoint("erp:poll"))
                    .isInstanceOf(ResolveEndpointFailedException.class).hasStackTraceContaining("the only one is erp:map");
            assertThatThrownBy(() -> r.ctx.camelContext().getEndpoint("erp:map?event=a%20when%20s%20~%201"))
                    .isInstanceOf(ResolveEndpointFailedException.class).hasStackTraceContaining("option 'event'")
                    .hasStackTraceContaining("cannot read the condition");
            assertThatThrownBy(() -> r.ctx.camelContext().getEndpoint("erp:map?badRecords=ignore"))
                    .isInstanceOf(ResolveEndpointFailedException.class).hasStackTraceContaining("must be fail or skip");
        }
    }

    @Test
    void withoutAPluginMappingTheEndpointMustBringItsOwn() throws Exception {
        try (Running r = Running.start(Map.of("sources", List.of()))) {
            assertThatThrownBy(() -> r.ctx.camelContext().getEndpoint("erp:map"))
                    .isInstanceOf(ResolveEndpointFailedException.class)
                    .hasStackTraceContaining("option 'event' is required when records become track events");
            try (ProducerTemplate t = r.ctx.camelContext().createProducerTemplate()) {
                t.sendBody("erp:map?event=stock_low&identities.erp_id=sku&properties=sku,qty:integer",
                        Map.of("sku", "A-1", "qty", "3"));
            }
            assertThat(r.ctx.submittedEvents()).singleElement()
                    .satisfies(e -> assertThat(e.properties()).isEqualTo(Map.of("sku", "A-1", "qty", 3L)));
        }
    }
}
