package io.shardyfusion.writer;

import io.shardyfusion.writer.publish.RunLease;

import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.errors.DuplicateKeyException;
import io.shardyfusion.errors.ManifestParseException;
import io.shardyfusion.manifest.ManifestSchemaAssertions;
import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.storage.CountingObjectStore;
import io.shardyfusion.storage.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordsTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void theLeaseIsRenewedOnlyWhenLessThanHalfRemains() {
    MovableClock clock = new MovableClock(T0);
    CountingObjectStore.Counts counts = new CountingObjectStore.Counts();
    CountingObjectStore store = new CountingObjectStore(new LocalObjectStore(tmp), counts);
    RunRecords records = new RunRecords(store, clock);
    RunLease lease = RunLease.start(records, "r1", HOUR, "in-process", null);
    assertThat(lease.record().leaseExpiresAt()).isEqualTo(T0.plus(HOUR));
    long putsAfterStart = counts.snapshot().puts();

    for (int i = 0; i < 29; i++) { // a shard completes every minute for 29 minutes
      clock.advance(Duration.ofMinutes(1));
      lease.renewIfDue();
    }
    assertThat(counts.snapshot().puts()).as("no PUT while half the lease remains")
        .isEqualTo(putsAfterStart);
    clock.advance(Duration.ofMinutes(2)); // 31 minutes in: 29 left < 30
    lease.renewIfDue();
    lease.renewIfDue();
    assertThat(counts.snapshot().puts()).isEqualTo(putsAfterStart + 1);
    RunRecord stored = records.load("r1").orElseThrow();
    assertThat(stored.leaseExpiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(91)));
    assertThat(stored.startedAt()).isEqualTo(T0);
    assertThat(stored.leaseLive(clock.instant())).isTrue();
    assertThat(stored.leaseLive(T0.plus(Duration.ofMinutes(92)))).isFalse();
  }

  @Test
  void ensureRunningIsIdempotentAndFinishEndsTheLease() {
    MovableClock clock = new MovableClock(T0);
    LocalObjectStore store = new LocalObjectStore(tmp);
    RunRecords records = new RunRecords(store, clock);
    RunRecord first = records.ensureRunning("r1", HOUR, "beam", "memory://m");
    clock.advance(Duration.ofMinutes(5));
    assertThat(records.ensureRunning("r1", HOUR, "beam", null)).isEqualTo(first);

    clock.advance(Duration.ofMinutes(40));
    RunRecord renewed = records.ensureRunning("r1", HOUR, "beam", null);
    assertThat(renewed.leaseExpiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(105)));
    assertThat(renewed.basedOn()).isEqualTo("memory://m");

    RunRecord done = records.finish("r1", RunStatus.PUBLISHED);
    assertThat(done.status()).isEqualTo(RunStatus.PUBLISHED);
    assertThat(done.leaseLive(clock.instant())).isFalse();
    assertThat(records.list()).containsOnlyKeys("r1");
    assertThat(records.list().get("r1")).isEqualTo(done);
    byte[] yaml = store.get(done.key());
    ManifestSchemaAssertions.assertValidRunRecord(yaml);
    assertThat(new String(yaml, StandardCharsets.UTF_8)).contains("based_on: \"memory://m\"")
        .contains("lease_expires_at: \"2026-11-24T12:45:00.000000Z\"")
        .contains("status: \"succeeded\"");
    records.delete("r1");
    records.delete("r1");
    assertThat(records.list()).isEmpty();
  }

  @Test
  void aMalformedRecordNamesItsKey() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    String key = SnapshotLayout.legacyRunRecordKey("r1");
    store.put(key, "{\"run_id\": \"r1\"}".getBytes(StandardCharsets.UTF_8), "application/json");
    assertThatThrownBy(() -> new RunRecords(store, Clock.systemUTC()).list())
        .isInstanceOf(ManifestParseException.class).hasMessageContaining(store.url(key))
        .hasMessageContaining("status");
  }

  @Test
  void runLeaseMustBePositive() {
    WriteConfig.Builder b = WriteConfig.builder().numDbs(1).s3Prefix(tmp.toUri().toString());
    assertThat(b.build().runLease()).isEqualTo(WriteConfig.DEFAULT_RUN_LEASE);
    assertThat(b.runLease(Duration.ofMinutes(5)).build().runLease())
        .isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> b.runLease(Duration.ZERO))
        .isInstanceOf(ConfigValidationException.class).hasMessageContaining("runLease must be > 0");
  }

  @Test
  void aFailedWriteMarksItsRunFailedAndLeavesNoShards() {
    LocalObjectStore store = new LocalObjectStore(tmp.resolve("store"));
    WriteConfig config = WriteConfig.builder().numDbs(2).runId("dup")
        .s3Prefix(tmp.resolve("store").toUri().toString()).tempDir(tmp.resolve("build")).build();
    assertThatThrownBy(() -> SnapshotWriter.writeSharded(List.of(1L, 2L, 1L), config, k -> k,
        k -> new byte[] {1})).isInstanceOf(DuplicateKeyException.class);

    RunRecord r = new RunRecords(store, Clock.systemUTC()).load("dup").orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    ManifestSchemaAssertions.assertValidRunRecord(store.get(r.key()));
    assertThat(r.errorType()).isEqualTo(DuplicateKeyException.class.getSimpleName());
    assertThat(r.errorMessage()).isNotBlank();
    assertThat(r.writer().engine()).isEqualTo("in-process");
    assertThat(store.list(SnapshotLayout.SHARDS + "/")).isEmpty();
    assertThat(store.getIfExists(SnapshotLayout.CURRENT)).isEmpty();
  }
}
