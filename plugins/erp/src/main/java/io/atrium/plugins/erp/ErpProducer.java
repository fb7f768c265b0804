package io.atrium.plugins.erp;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** Maps the body's records and submits their events; see {@link ErpComponent}. */
final class ErpProducer extends DefaultProducer {

    static final String SOURCE = "route";

    ErpProducer(ErpEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public ErpEndpoint getEndpoint() {
        return (ErpEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        List<Record> records = new ArrayList<>();
        List<RecordProblem> problems = new ArrayList<>();
        RecordReader.Sink sink = new RecordReader.Sink() {
            @Override
            public void record(Record record) {
                records.add(record);
            }

            @Override
            public void badRecord(RecordProblem problem) {
                problems.add(problem);
            }

            @Override
            public void fileProblem(RecordProblem problem) {
                problems.add(problem);
            }
        };
        read(exchange.getIn().getBody(), sink);

        Mapping mapping = getEndpoint().mapping();
        List<Event> events = new ArrayList<>();
        int skipped = 0;
        for (Record r : records) {
            Mapping.Result result = mapping.map(r, SOURCE);
            if (result.skipped()) {
                skipped++;
            } else if (result.ok()) {
                events.add(result.event());
            } else {
                problems.addAll(result.problems());
            }
        }
        List<String> texts = problems.stream().map(RecordProblem::describe).toList();
        if (!problems.isEmpty() && !getEndpoint().skipBadRecords()) {
            throw new ErpMappingException(texts);
        }
        if (!events.isEmpty()) {
            getEndpoint().getComponent().sink().submit(events);
        }
        org.apache.camel.Message out = exchange.getMessage();
        out.setHeader(ErpConstants.SUBMITTED, events.size());
        out.setHeader(ErpConstants.SKIPPED, skipped);
        out.setHeader(ErpConstants.REJECTED, problems.size());
        out.setHeader(ErpConstants.PROBLEMS, texts);
    }

    private void read(Object body, RecordReader.Sink sink) throws Exception {
        if (body instanceof Map<?, ?> map) {
            sink.record(new Record(Position.index(SOURCE, 0), flatten(map)));
            return;
        }
        if (body instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                Position pos = Position.index(SOURCE, i++);
                if (item instanceof Map<?, ?> map) {
                    sink.record(new Record(pos, flatten(map)));
                } else {
                    sink.badRecord(new RecordProblem(pos, (String) null, "is a "
                            + (item == null ? "null" : item.getClass().getSimpleName()) + ", not a map of fields (with "
                            + "camel-csv, unmarshal with useMaps: true)"));
                }
            }
            return;
        }
        String text = null;
        JsonNode root;
        try {
            if (body instanceof byte[] bytes) {
                root = JsonRecords.MAPPER.readTree(bytes);
            } else if (body instanceof InputStream in) {
                root = JsonRecords.MAPPER.readTree(in);
            } else {
                text = getEndpoint().getCamelContext().getTypeConverter().convertTo(String.class, body);
                root = text == null ? null : JsonRecords.MAPPER.readTree(text);
            }
        } catch (JsonProcessingException e) {
            sink.fileProblem(new RecordProblem(Position.index(SOURCE, -1), (String) null,
                    "the body is not JSON (" + e.getOriginalMessage() + ") nor a Map or a List of Maps"));
            return;
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            sink.fileProblem(new RecordProblem(Position.index(SOURCE, -1), (String) null,
                    "the body must be a Map, a List of Maps, or JSON (an object or an array of objects)"));
            return;
        }
        JsonRecords.fromBody(root, SOURCE, sink);
    }

    /** Nested maps become dotted names, as in JSON files. */
    static Map<String, Object> flatten(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", map, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        map.forEach((k, v) -> {
            String name = prefix + k;
            if (v instanceof Map<?, ?> nested && !nested.isEmpty()) {
                flatten(name + ".", nested, out);
            } else {
                out.put(name, v);
            }
        });
    }
}
