package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.atrium.plugin.testkit.MemoryStateStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored position round-trips exactly (microseconds, offsets, big numbers), is replaced whole, and only over the version read. */
class WatermarkStoreTest {

    @TempDir
    Path dir;

    final MemoryStateStore state = new MemoryStateStore();

    @Test
    void everyKindComesBackExactly() throws Exception {
        WatermarkStore store = new WatermarkStore(state, dir);
        assertThat(store.load(ZoneOffset.UTC)).isNull();
        Object[][] cases = {
                {SqlValue.LOCAL_DATE_TIME, LocalDateTime.parse("2026-03-01T10:00:00.123456")},
                {SqlValue.LOCAL_DATE_TIME, LocalDateTime.parse("2026-03-01T10:00")},
                {SqlValue.OFFSET_DATE_TIME, OffsetDateTime.parse("2026-03-01T10:00:00.000001+02:00")},
                {SqlValue.LOCAL_DATE, LocalDate.parse("2026-03-01")},
                {SqlValue.LONG, 9_007_199_254_740_993L},
                {SqlValue.DECIMAL, new BigDecimal("12345678901234567890.000100")},
                {SqlValue.STRING, " A-0001 "},
        };
        for (Object[] c : cases) {
            SqlValue kind = (SqlValue) c[0];
            store.save(new WatermarkStore.Mark("updated_at", kind, c[1], "id", SqlValue.LONG, 42L));
            WatermarkStore.Mark back = store.load(ZoneOffset.UTC);
            assertThat(back.value()).as(kind.name()).isEqualTo(c[1]);
            assertThat(back.kind()).isEqualTo(kind);
            assertThat(back.key()).isEqualTo(42L);
            assertThat(back.keyColumn()).isEqualTo("id");
        }
        assertThat(state.list("").keySet()).containsExactly(WatermarkStore.KEY);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aSecondNodeCannotMoveTheWatermarkFromAPositionItReadBefore() throws Exception {
        WatermarkStore a = new WatermarkStore(state, dir);
        WatermarkStore b = new WatermarkStore(state, dir);
        assertThat(a.load(ZoneOffset.UTC)).isNull();
        assertThat(b.load(ZoneOffset.UTC)).isNull();
        assertThat(a.save(new WatermarkStore.Mark("id", SqlValue.LONG, 10L, null, null, null))).isTrue();
        assertThat(b.save(new WatermarkStore.Mark("id", SqlValue.LONG, 3L, null, null, null))).isFalse();
        assertThat(b.load(ZoneOffset.UTC).value()).isEqualTo(10L);
        assertThat(b.save(new WatermarkStore.Mark("id", SqlValue.LONG, 12L, null, null, null))).isTrue();
        assertThat(a.save(new WatermarkStore.Mark("id", SqlValue.LONG, 11L, null, null, null))).isFalse();
        assertThat(new WatermarkStore(state, dir).load(ZoneOffset.UTC).value()).isEqualTo(12L);
    }

    @Test
    void theFileOfAnOlderVersionIsReadOnceIntoTheStore() throws Exception {
        Files.writeString(dir.resolve(WatermarkStore.FILE), """
                { "column" : "updated_at", "kind" : "LOCAL_DATE_TIME", "value" : "2026-03-01T10:11:00.000001",
                  "keyColumn" : "order_id", "keyKind" : "LONG", "key" : "8", "savedAt" : "2026-03-01T10:12:00Z" }
                """);
        WatermarkStore.Mark m = new WatermarkStore(state, dir).load(ZoneOffset.UTC);
        assertThat(m.describe()).isEqualTo("updated_at=2026-03-01T10:11:00.000001, order_id=8");
        assertThat(dir.resolve(WatermarkStore.FILE)).doesNotExist();
        assertThat(dir.resolve(WatermarkStore.FILE + ".imported")).exists();
        assertThat(new WatermarkStore(state, dir).load(ZoneOffset.UTC).describe()).isEqualTo(m.describe());
    }

    @Test
    void aMarkWithoutAKeyHasNone() throws Exception {
        WatermarkStore store = new WatermarkStore(state, dir);
        store.save(new WatermarkStore.Mark("id", SqlValue.LONG, 7L, null, null, null));
        WatermarkStore.Mark back = store.load(ZoneOffset.UTC);
        assertThat(back.value()).isEqualTo(7L);
        assertThat(back.key()).isNull();
        assertThat(back.describe()).isEqualTo("id=7");
    }

    @Test
    void theStartValueIsReadAsTheColumnHoldsIt() {
        assertThat(SqlValue.LOCAL_DATE_TIME.parse("2026-01-01", ZoneOffset.UTC)).isEqualTo(LocalDateTime.parse("2026-01-01T00:00"));
        assertThat(SqlValue.LOCAL_DATE_TIME.parse("2026-01-01 08:30:00", ZoneOffset.UTC))
                .isEqualTo(LocalDateTime.parse("2026-01-01T08:30"));
        assertThat(SqlValue.OFFSET_DATE_TIME.parse("2026-01-01 08:30:00", ZoneOffset.ofHours(2)))
                .isEqualTo(OffsetDateTime.parse("2026-01-01T08:30+02:00"));
        assertThat(SqlValue.LONG.parse(" 0 ", ZoneOffset.UTC)).isEqualTo(0L);
        assertThatThrownBy(() -> SqlValue.LONG.parse("yesterday", ZoneOffset.UTC)).hasMessage("'yesterday' is not an integer");
    }
}
