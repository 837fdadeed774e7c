package io.shardyfusion.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.layout.SnapshotLayout;
import io.shardyfusion.manifest.ManifestSchemaAssertions;
import io.shardyfusion.runs.RunRecord;
import io.shardyfusion.runs.RunRecords;
import io.shardyfusion.runs.RunStatus;
import io.shardyfusion.storage.LocalObjectStore;
import io.shardyfusion.storage.ObjectInfo;
import io.shardyfusion.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Run records in the Python system's run registry format, read and written by both systems. */
class PythonRunRegistryTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2026-11-24T12:00:00.123456789Z");
  /** {@code RUN_REGISTRY_TIMESTAMP_FMT = "%Y-%m-%dT%H:%M:%S.%fZ"} */
  private static final String PY_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";
  /** Fields of Python's {@code RunRecord} without a default: pydantic refuses a record without them. */
  private static final List<String> PY_REQUIRED = List.of("run_id", "writer_type", "status",
      "started_at", "updated_at", "lease_expires_at", "s3_prefix", "shard_prefix",
      "db_path_template");

  @TempDir Path tmp;

  /** What Python's {@code yaml.safe_load} gives: plain YAML, no Jackson. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> safeLoad(byte[] yaml) {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(new String(yaml, StandardCharsets.UTF_8));
  }

  /** Python's field rules, checked on the YAML text. */
  private static void assertPythonRunRecord(String key, byte[] yaml, String status) {
    assertThat(key).matches("runs/" + PY_TIME + "_run_id=[^/]+_[0-9a-f]{32}/run\\.yaml");
    Map<String, Object> doc = safeLoad(yaml);
    assertThat(doc).containsKeys(PY_REQUIRED.toArray(String[]::new))
        .containsKeys("manifest_ref", "error_type", "error_message")
        .containsEntry("format_version", 1).containsEntry("status", status)
        .containsEntry("shard_prefix", "shards").containsEntry("db_path_template", "db={db_id:05d}");
    for (String f : PY_REQUIRED) {
      assertThat(doc.get(f)).as(f).isInstanceOf(String.class);
    }
    for (String t : List.of("started_at", "updated_at", "lease_expires_at")) {
      assertThat((String) doc.get(t)).as(t).matches(PY_TIME);
    }
    assertThat((String) doc.get("writer_type")).startsWith("shardyfusion-jvm/");
    // sort_keys=True: top-level keys in order.
    List<String> keys = new String(yaml, StandardCharsets.UTF_8).lines()
        .filter(l -> !l.startsWith(" ")).map(l -> l.substring(0, l.indexOf(':'))).toList();
    assertThat(keys).isSorted().containsAll(doc.keySet());
  }

  @Test
  void aJvmWritersRecordsAreValidPythonRunRecords() {
    MovableClock clock = new MovableClock(T0);
    LocalObjectStore store = new LocalObjectStore(tmp);
    RunRecords records = new RunRecords(store, clock, "memory://manifests");
    RunRecord r = records.start("r1", HOUR, "in-process", "file:///m/manifest");
    byte[] running = store.get(r.key());
    assertPythonRunRecord(r.key(), running, "running");
    ManifestSchemaAssertions.assertValidRunRecord(running);
    Map<String, Object> doc = safeLoad(running);
    assertThat(doc).containsEntry("run_id", "r1")
        .containsEntry("started_at", "2026-11-24T12:00:00.123456Z")
        .containsEntry("lease_expires_at", "2026-11-24T13:00:00.123456Z")
        .containsEntry("writer_type", "shardyfusion-jvm/in-process")
        .containsEntry("s3_prefix", tmp.toUri().toString().replaceAll("/$", ""))
        .containsEntry("based_on", "file:///m/manifest")
        .containsEntry("manifest_store", "memory://manifests")
        .containsEntry("manifest_ref", null);
    assertThat(r.key()).startsWith("runs/2026-11-24T12:00:00.123456Z_run_id=r1_");

    clock.advance(Duration.ofMinutes(1));
    records.finish("r1", RunStatus.PUBLISHED, "file:///m2/manifest", null, null);
    byte[] done = store.get(r.key());
    assertPythonRunRecord(r.key(), done, "succeeded");
    assertThat(safeLoad(done)).containsEntry("manifest_ref", "file:///m2/manifest")
        .containsEntry("lease_expires_at", "2026-11-24T12:01:00.123456Z");

    records.start("r2", HOUR, "beam", null);
    records.finish("r2", RunStatus.FAILED, null, "DuplicateKeyException", "key 7 twice");
    RunRecord failed = records.load("r2").orElseThrow();
    byte[] yaml = store.get(failed.key());
    assertPythonRunRecord(failed.key(), yaml, "failed");
    assertThat(safeLoad(yaml)).containsEntry("error_type", "DuplicateKeyException")
        .containsEntry("error_message", "key 7 twice");
  }

  @Test
  void pythonWrittenRecordsAreRead() throws Exception {
    LocalObjectStore store = new LocalObjectStore(tmp);
    Path golden = Paths.get("../interop/python-snapshots/golden/u64-history3");
    List<Path> files;
    try (Stream<Path> s = Files.walk(golden.resolve("runs"))) {
      files = s.filter(f -> f.getFileName().toString().equals("run.yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(1);
    for (Path f : files) {
      store.put(golden.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f),
          "application/x-yaml");
    }
    Map<String, RunRecord> runs = new RunRecords(store, Clock.systemUTC()).list();
    assertThat(runs).hasSize(files.size());
    assertThat(runs.values()).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RunStatus.PUBLISHED);
      assertThat(r.writerType()).isEqualTo("python");
      assertThat(r.manifestRef()).startsWith("s3://golden/u64-history3/manifests/")
          .contains("_run_id=" + r.runId() + "/");
      assertThat(r.leaseLive(r.leaseExpiresAt().minusNanos(1000))).isFalse(); // not running
      assertThat(r.leaseExpiresAt().getNano() % 1000).isZero();
      assertThat(r.problem()).isNull();
    });
  }

  @Test
  void anUnreadableRunYamlMakesItsRunLiveAndNamesTheObject() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    String key = SnapshotLayout.runRecordKey(T0, "broken", "0".repeat(32));
    store.put(key, "status: [unterminated".getBytes(StandardCharsets.UTF_8),
        "application/x-yaml");
    String newer = SnapshotLayout.runRecordKey(T0, "future", "1".repeat(32));
    store.put(newer, ("format_version: 2\nrun_id: future\nstatus: paused\n")
        .getBytes(StandardCharsets.UTF_8), "application/x-yaml");

    Map<String, RunRecord> runs = new RunRecords(store, Clock.systemUTC()).list();
    assertThat(runs).containsOnlyKeys("broken", "future");
    assertThat(runs.get("broken").leaseLive(Instant.MAX)).isTrue();
    assertThat(runs.get("broken").problem()).contains(store.url(key));
    assertThat(runs.get("future").leaseLive(Instant.MAX)).isTrue();
    assertThat(runs.get("future").problem()).contains("paused");

    // A writer of the run leaves the unreadable record alone and writes its own.
    RunRecords records = new RunRecords(store, Clock.systemUTC());
    RunRecord mine = records.ensureRunning("broken", HOUR, "beam", null);
    assertThat(mine.key()).isNotEqualTo(key);
    records.finish("broken", RunStatus.PUBLISHED);
    assertThat(records.load("broken").orElseThrow().leaseLive(Instant.now())).isTrue();
    records.delete("broken");
    assertThat(records.loadAll("broken")).isEmpty();
    assertThat(records.list()).containsOnlyKeys("future");
  }

  @Test
  void aRunIdThatPrefixesAnotherIsNotConfusedWithIt() {
    LocalObjectStore store = new LocalObjectStore(tmp);
    RunRecords records = new RunRecords(store, Clock.systemUTC());
    records.start("a_b", HOUR, "beam", null);
    assertThat(records.loadAll("a")).isEmpty();
    RunRecord a = records.ensureRunning("a", HOUR, "beam", null);
    records.finish("a", RunStatus.FAILED);
    assertThat(records.load("a_b").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(records.list()).containsOnlyKeys("a", "a_b");
    records.delete("a");
    assertThat(store.list("runs/")).extracting(ObjectInfo::key).doesNotContain(a.key())
        .hasSize(1);
  }

  @Test
  void legacyRunRecordsAreStillHonouredAndFinished() {
    MovableClock clock = new MovableClock(T0);
    LocalObjectStore store = new LocalObjectStore(tmp);
    String legacy = SnapshotLayout.legacyRunRecordKey("old");
    store.put(legacy, ("{\"run_id\": \"old\", \"status\": \"RUNNING\", \"started_at\": "
        + "\"2026-11-24T11:30:00Z\", \"updated_at\": \"2026-11-24T11:30:00Z\", "
        + "\"lease_expires_at\": \"2026-11-24T12:30:00Z\", \"based_on\": \"file:///b\", "
        + "\"format_version\": 1}").getBytes(StandardCharsets.UTF_8), "application/json");
    RunRecords records = new RunRecords(store, clock);
    RunRecord r = records.load("old").orElseThrow();
    assertThat(r.legacy()).isTrue();
    assertThat(r.leaseLive(clock.instant())).isTrue();
    assertThat(r.basedOn()).isEqualTo("file:///b");

    RunRecord joined = records.ensureRunning("old", HOUR, "beam", null);
    assertThat(joined.legacy()).isFalse();
    assertThat(joined.basedOn()).isEqualTo("file:///b");
    assertThat(joined.startedAt()).isEqualTo(Instant.parse("2026-11-24T11:30:00Z"));
    records.finish("old", RunStatus.PUBLISHED);
    assertThat(records.loadAll("old")).hasSize(2)
        .allSatisfy(each -> assertThat(each.status()).isEqualTo(RunStatus.PUBLISHED));
    assertThat(new String(store.get(legacy), StandardCharsets.UTF_8)).contains("PUBLISHED");
    assertThat(records.load("old").orElseThrow().leaseLive(clock.instant())).isFalse();
  }

  /**
   * Two tasks of one Beam run call ensureRunning at once: both LIST before either PUTs, so each
   * creates a record. The run stays live while either record is, and finish ends both.
   */
  @Test
  void concurrentEnsureRunningCreatesTwoRecordsThatBothCountAndBothFinish() {
    MovableClock clock = new MovableClock(T0);
    LocalObjectStore shared = new LocalObjectStore(tmp);
    RunRecords taskA = new RunRecords(shared, clock, "m");
    AtomicReference<RunRecord> fromA = new AtomicReference<>();
    // Task B's first LIST returns what the store held before task A's record existed.
    ObjectStore racing = new Interleaving(shared, () -> fromA.set(
        taskA.ensureRunning("beam", HOUR, "beam", "file:///base-a")));
    RunRecords taskB = new RunRecords(racing, clock, "m");
    RunRecord b = taskB.ensureRunning("beam", HOUR, "beam", "file:///base-b");
    RunRecord a = fromA.get();

    assertThat(a.key()).isNotEqualTo(b.key());
    List<RunRecord> all = taskA.loadAll("beam");
    assertThat(all).extracting(RunRecord::key).containsExactlyInAnyOrder(a.key(), b.key());
    assertThat(all).extracting(RunRecord::basedOn)
        .containsExactlyInAnyOrder("file:///base-a", "file:///base-b");
    assertThat(taskA.load("beam").orElseThrow().leaseLive(clock.instant())).isTrue();

    // Only task A renews; B's record expires, A's keeps the run live.
    clock.advance(Duration.ofMinutes(45));
    RunRecord renewedA = taskA.renewIfDue(a, HOUR);
    assertThat(renewedA.leaseExpiresAt()).isAfter(b.leaseExpiresAt());
    clock.advance(Duration.ofMinutes(30));
    assertThat(taskB.loadAll("beam")).filteredOn(r -> r.key().equals(b.key())).singleElement()
        .satisfies(r -> assertThat(r.leaseLive(clock.instant())).isFalse());
    assertThat(taskB.load("beam").orElseThrow().leaseLive(clock.instant())).isTrue();
    // A third task joins the live record, not the expired one, and writes nothing.
    assertThat(new RunRecords(shared, clock).ensureRunning("beam", HOUR, "beam", null).key())
        .isEqualTo(a.key());

    taskB.finish("beam", RunStatus.PUBLISHED, "file:///published", null, null);
    assertThat(taskA.loadAll("beam")).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(RunStatus.PUBLISHED);
      assertThat(r.manifestRef()).isEqualTo("file:///published");
    });
    assertThat(taskA.load("beam").orElseThrow().leaseLive(clock.instant())).isFalse();
    taskA.delete("beam");
    assertThat(shared.list("runs/")).isEmpty();
  }

  /** A real store whose first LIST lets another task run between reading and returning. */
  private static final class Interleaving implements ObjectStore {
    private final ObjectStore inner;
    private Runnable between;

    Interleaving(ObjectStore inner, Runnable between) {
      this.inner = inner;
      this.between = between;
    }

    @Override
    public List<ObjectInfo> list(String keyPrefix) {
      List<ObjectInfo> seen = new ArrayList<>(inner.list(keyPrefix));
      Runnable r = between;
      between = null;
      if (r != null) {
        r.run();
      }
      return seen;
    }

    @Override
    public String baseUrl() {
      return inner.baseUrl();
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
      inner.put(key, data, contentType);
    }

    @Override
    public void putFile(String key, Path file) {
      inner.putFile(key, file);
    }

    @Override
    public byte[] get(String key) {
      return inner.get(key);
    }

    @Override
    public Optional<byte[]> getIfExists(String key) {
      return inner.getIfExists(key);
    }

    @Override
    public void download(String key, Path target) {
      inner.download(key, target);
    }

    @Override
    public void delete(String key) {
      inner.delete(key);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
