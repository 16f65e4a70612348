package io.tracebee.span;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Messaging semantic conventions (1.37) for Kafka spans: names, and what of a message key may be shown. */
public final class MessagingSemconv {
    private MessagingSemconv() {
    }

    public static final String SYSTEM_KAFKA = "kafka";

    /** The span name: destination, then operation, as in {@code orders publish}. */
    public static String spanName(String topic, String operation) {
        return topic.isEmpty() ? operation : topic + " " + operation;
    }

    /**
     * {@code messaging.kafka.message.key} as text, or null: only a key the probe copied in full and that
     * is valid UTF-8. A cut or binary key would be shown as something it is not.
     */
    public static String messageKey(byte[] copied, int fullLength) {
        if (fullLength == 0 || copied.length != fullLength) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(copied)).toString();
        } catch (CharacterCodingException binary) {
            return null;
        }
    }
}
