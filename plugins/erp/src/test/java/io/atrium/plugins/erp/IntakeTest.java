package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

import org.junit.jupiter.api.Test;

/** Submitting in order: the refused events are found and named, the others still go in; a transient refusal stops. */
class IntakeTest {

    /** A hub that takes lists all or nothing and refuses any list holding an event named "bad". */
    static final class Hub implements EventSink {
        final List<Event> stored = new ArrayList<>();
        int calls;
        RuntimeException down;

        @Override
        public void submit(List<Event> events) {
            calls++;
            if (down != null) {
                throw down;
            }
            if (events.stream().anyMatch(e -> e.event().equals("bad"))) {
                throw new EventRejectedException("[0].event: bad name", false, null);
            }
            stored.addAll(events);
        }
    }

    static List<Event> events(String... names) {
        return java.util.Arrays.stream(names).map(n -> Event.track(n).identity("erp_id", "1").build()).toList();
    }

    @Test
    void allGoInWithOneCall() {
        Hub hub = new Hub();
        assertThat(new Intake(hub).submit(events("a", "b", "c"))).isEmpty();
        assertThat(hub.stored).extracting(Event::event).containsExactly("a", "b", "c");
        assertThat(hub.calls).isEqualTo(1);
    }

    @Test
    void refusedEventsAreFoundByHalvingAndTheOthersStillGoInInOrder() {
        Hub hub = new Hub();
        List<Event> list = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> list.addAll(events(i == 3 || i == 8 ? "bad" : "e" + i)));
        List<Intake.Refused> refused = new Intake(hub).submit(list);
        assertThat(refused).extracting(Intake.Refused::index).containsExactly(3, 8);
        assertThat(refused.get(0).reason()).contains("bad name");
        assertThat(hub.stored).extracting(Event::event).containsExactly("e0", "e1", "e2", "e4", "e5", "e6", "e7", "e9");
    }

    @Test
    void aTransientRefusalStopsAndSaysSo() {
        Hub hub = new Hub();
        hub.down = new EventRejectedException("broker down", true, null);
        assertThatThrownBy(() -> new Intake(hub).submit(events("a"))).isInstanceOf(Intake.HubUnavailable.class)
                .hasMessageContaining("broker down");
        hub.down = new IllegalStateException("queue closed");
        assertThatThrownBy(() -> new Intake(hub).submit(events("a"))).isInstanceOf(Intake.HubUnavailable.class);
        assertThat(hub.stored).isEmpty();
    }
}
