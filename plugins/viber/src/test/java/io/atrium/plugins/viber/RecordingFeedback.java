package io.atrium.plugins.viber;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.StatusUpdate;

/** A ChannelFeedback that keeps everything, including the opt-outs' time and detail. */
final class RecordingFeedback implements ChannelFeedback {

    record OptOut(String address, Instant at, String detail) {
    }

    final List<StatusUpdate> statuses = new CopyOnWriteArrayList<>();
    final List<InboundMessage> inbound = new CopyOnWriteArrayList<>();
    final List<OptOut> optOuts = new CopyOnWriteArrayList<>();
    volatile RuntimeException failure;

    @Override
    public void status(StatusUpdate update) {
        fail();
        statuses.add(update);
    }

    @Override
    public void inbound(InboundMessage message) {
        fail();
        inbound.add(message);
    }

    @Override
    public void optedOut(String address, Instant at, String detail) {
        fail();
        optOuts.add(new OptOut(address, at, detail));
    }

    boolean isEmpty() {
        return statuses.isEmpty() && inbound.isEmpty() && optOuts.isEmpty();
    }

    private void fail() {
        if (failure != null) {
            throw failure;
        }
    }
}
