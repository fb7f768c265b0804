package io.atrium.plugins.crm;

/**
 * What a segment entry or exit does in the CRM ({@code segment-push}). Implementations are plain
 * classes: the route only hands them the exchange's body.
 */
interface SegmentPush {

    /** What came of one segment event. */
    enum Outcome {
        /** The CRM was changed as the rules say. */
        DONE,
        /** No rule names the segment. */
        IGNORED,
        /** The person cannot be found in the CRM (and is not created): nothing to do. */
        SKIPPED,
        /** The CRM refused it for good (logged, naming the rule); retrying would not help. */
        FAILED
    }

    /** The CRM could not be reached or asked to wait: the broker delivers the segment event again later. */
    final class RetryLater extends RuntimeException {
        RetryLater(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * @throws RetryLater when trying again later can help (the route then fails the exchange)
     * @throws IllegalArgumentException when the body is not a segment event
     */
    Outcome push(SegmentEvent event);
}
