package io.atrium.server.plugin;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.intake.EventValidator;

/**
 * The intake as one plugin sees it: its events are checked and completed like those of the
 * collector and of routes (a messageId when they have none, receivedAt, a timestamp, and
 * {@code source = plugin:<id>} unless they name their own), all or nothing.
 */
final class PluginEventSink implements EventSink {

    private final String pluginId;
    private final EventIntake intake;
    private final EventValidator validator;
    private final ObjectMapper mapper;

    PluginEventSink(String pluginId, EventIntake intake, EventValidator validator, ObjectMapper mapper) {
        this.pluginId = pluginId;
        this.intake = intake;
        this.validator = validator;
        this.mapper = mapper;
    }

    @Override
    public void submit(List<Event> events) {
        List<JsonNode> nodes = new ArrayList<>(events.size());
        for (Event e : events) {
            nodes.add(mapper.valueToTree(e));
        }
        List<Event> checked;
        try {
            checked = validator.readForIntake(nodes, "plugin:" + pluginId);
        } catch (IllegalArgumentException e) {
            throw new EventRejectedException("plugin '" + pluginId + "': the hub " + e.getMessage(), false, e);
        }
        intake.submit(checked);
    }
}
