package io.tracebee.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decoder joins a manual span's chunks; a span missing one is dropped and counted, never delivered with a hole. */
class ManualSpanChunksTest {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    @Test
    void chunksOfOneSpanAreJoinedAcrossOtherSpansRecords() {
        EventDecoder decoder = new EventDecoder();
        byte[] body = new byte[EventLayout.MANUAL_CHUNK * 2 + 10];
        Arrays.fill(body, (byte) 'x');
        assertThat(decoder.decodeOne(chunk(1, body, 0, 3, body.length), 0, EventLayout.MANUAL_SIZE)).isNull();
        byte[] other = "{}".getBytes(StandardCharsets.UTF_8);
        ManualSpanEvent small = (ManualSpanEvent) decoder.decodeOne(chunk(2, other, 0, 1, 2), 0, EventLayout.MANUAL_SIZE);
        assertThat(small.body()).isEqualTo(other);
        assertThat(decoder.decodeOne(chunk(1, body, 1, 3, body.length), 0, EventLayout.MANUAL_SIZE)).isNull();
        ManualSpanEvent whole = (ManualSpanEvent) decoder.decodeOne(chunk(1, body, 2, 3, body.length), 0, EventLayout.MANUAL_SIZE);
        assertThat(whole.body()).isEqualTo(body);
        assertThat(whole.truncated()).isFalse();
        assertThat(whole.source()).isEqualTo(EventLayout.MANUAL_AUTO_SDK);
        assertThat(decoder.manualSpansIncomplete()).isZero();
        assertThat(decoder.decodeErrors()).isZero();
    }

    @Test
    void aMissingChunkDropsTheSpanAndALongerBufferIsMarkedCut() {
        EventDecoder decoder = new EventDecoder();
        byte[] body = new byte[EventLayout.MANUAL_CHUNK * 3];
        assertThat(decoder.decodeOne(chunk(1, body, 0, 3, body.length), 0, EventLayout.MANUAL_SIZE)).isNull();
        assertThat(decoder.decodeOne(chunk(1, body, 2, 3, body.length), 0, EventLayout.MANUAL_SIZE)).isNull();
        assertThat(decoder.manualSpansIncomplete()).isEqualTo(1);

        byte[] cut = new byte[EventLayout.MANUAL_CHUNK];
        ManualSpanEvent e = (ManualSpanEvent) decoder.decodeOne(chunk(3, cut, 0, 1, 100_000), 0, EventLayout.MANUAL_SIZE);
        assertThat(e.truncated()).isTrue();
    }

    @Test
    void globalApiRecordsAreJoinedFromStartToEndAndStrayRecordsAreCounted() {
        EventDecoder decoder = new EventDecoder();
        byte[] stray = {2, 1, 0, 'x'};  // NAME "x" of a span whose START never came
        assertThat(decoder.decodeOne(global(5, stray, 1), 0, EventLayout.MANUAL_DATA + stray.length)).isNull();
        assertThat(decoder.manualSpansIncomplete()).isEqualTo(1);

        byte[] start = {1, 0, 0, 1, 0, 'n'};
        byte[] name = {2, 1, 0, 'm'};
        byte[] end = {10};
        assertThat(decoder.decodeOne(global(6, start, 1), 0, EventLayout.MANUAL_DATA + start.length)).isNull();
        assertThat(decoder.decodeOne(global(6, name, 2), 0, EventLayout.MANUAL_DATA + name.length)).isNull();
        ManualSpanEvent whole = (ManualSpanEvent) decoder.decodeOne(global(6, end, 3), 0, EventLayout.MANUAL_DATA + end.length);
        assertThat(whole.source()).isEqualTo(EventLayout.MANUAL_GLOBAL_API);
        assertThat(whole.body()).containsExactly(1, 0, 0, 1, 0, 'n', 2, 1, 0, 'm', 10);
        assertThat(whole.header().startNs()).as("the START record's").isEqualTo(1);
        assertThat(whole.header().endNs()).as("the END record's").isEqualTo(3);
        assertThat(decoder.manualSpansIncomplete()).isEqualTo(1);
        assertThat(decoder.manualSpansUnended()).isZero();
        assertThat(decoder.decodeErrors()).isZero();
    }

    @Test
    void aSpanKeepsABoundedBodyAndSaysSoWhenItIsCut() {
        EventDecoder decoder = new EventDecoder();
        byte[] start = {1, 0, 0, 1, 0, 'n'};
        decoder.decodeOne(global(8, start, 1), 0, EventLayout.MANUAL_DATA + start.length);
        byte[] attrs = new byte[4000];
        attrs[0] = 5;  // an ATTR item's tag; the content does not matter here
        for (int i = 0; i < GlobalApiRecords.MAX_BODY / attrs.length + 1; i++) {
            assertThat(decoder.decodeOne(global(8, attrs, 2), 0, EventLayout.MANUAL_DATA + attrs.length)).isNull();
        }
        byte[] end = {10};
        ManualSpanEvent whole = (ManualSpanEvent) decoder.decodeOne(global(8, end, 3), 0, EventLayout.MANUAL_DATA + end.length);
        assertThat(whole.truncated()).isTrue();
        assertThat(whole.body().length).isLessThanOrEqualTo(GlobalApiRecords.MAX_BODY + 1);
        assertThat(whole.body()[whole.body().length - 1]).as("END is kept").isEqualTo((byte) 10);
    }

    @Test
    void whatAProcessThatIsGoneLeftOpenIsForgotten() {
        EventDecoder decoder = new EventDecoder();
        byte[] body = new byte[EventLayout.MANUAL_CHUNK * 2];
        byte[] start = {1, 0, 0, 1, 0, 'n'};
        assertThat(decoder.decodeOne(chunk(1, body, 0, 2, body.length), 0, EventLayout.MANUAL_SIZE)).isNull();
        assertThat(decoder.decodeOne(global(2, start, 1), 0, EventLayout.MANUAL_DATA + start.length)).isNull();
        byte[] otherProcess = global(2, start, 1);
        INT.set(otherProcess, EventLayout.H_PID, 8);
        assertThat(decoder.decodeOne(otherProcess, 0, otherProcess.length)).isNull();
        assertThat(decoder.heldFor(7)).isEqualTo(2);
        assertThat(decoder.heldFor(8)).isEqualTo(1);

        assertThat(decoder.forgetProcess(7)).isEqualTo(2);
        assertThat(decoder.heldFor(7)).isZero();
        assertThat(decoder.heldFor(8)).as("another process's span stays").isEqualTo(1);
        assertThat(decoder.processStatePurged()).isEqualTo(2);
        assertThat(decoder.forgetProcess(7)).isZero();
        assertThat(decoder.decodeOne(chunk(1, body, 1, 2, body.length), 0, EventLayout.MANUAL_SIZE))
                .as("a late chunk of a forgotten span").isNull();
        assertThat(decoder.manualSpansUnended()).as("forgetting is not eviction").isZero();
    }

    /** A one-chunk global-API record of span n, only as long as its data, sent at kernel time ns. */
    private static byte[] global(int n, byte[] data, long ns) {
        byte[] r = chunk(n, data, 0, 1, data.length);
        r[EventLayout.MANUAL_SOURCE] = (byte) EventLayout.MANUAL_GLOBAL_API;
        LONG.set(r, EventLayout.H_START_NS, ns);
        LONG.set(r, EventLayout.H_END_NS, ns);
        return Arrays.copyOf(r, EventLayout.MANUAL_DATA + data.length);
    }

    /** Record index of a span (id n) whose whole buffer is body (its length claimed as total). */
    private static byte[] chunk(int n, byte[] body, int index, int count, int total) {
        byte[] r = new byte[EventLayout.MANUAL_SIZE];
        INT.set(r, EventLayout.H_KIND, EventLayout.KIND_MANUAL_SPAN);
        INT.set(r, EventLayout.H_SIZE, EventLayout.MANUAL_SIZE);
        INT.set(r, EventLayout.H_PID, 7);
        r[EventLayout.H_SC + EventLayout.SC_SPAN_ID] = (byte) n;
        INT.set(r, EventLayout.MANUAL_TOTAL_LEN, total);
        SHORT.set(r, EventLayout.MANUAL_INDEX, (short) index);
        SHORT.set(r, EventLayout.MANUAL_COUNT, (short) count);
        int off = index * EventLayout.MANUAL_CHUNK;
        int len = Math.max(0, Math.min(EventLayout.MANUAL_CHUNK, body.length - off));
        INT.set(r, EventLayout.MANUAL_LEN, len);
        r[EventLayout.MANUAL_SOURCE] = (byte) EventLayout.MANUAL_AUTO_SDK;
        System.arraycopy(body, off, r, EventLayout.MANUAL_DATA, len);
        return r;
    }
}
