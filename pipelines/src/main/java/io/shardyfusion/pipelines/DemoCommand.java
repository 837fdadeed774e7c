package io.shardyfusion.pipelines;

import io.shardyfusion.cli.ShardyCli;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.reader.ShardedReader;
import io.shardyfusion.reader.SnapshotInfo;
import io.shardyfusion.records.Record;
import io.shardyfusion.records.SnapshotVerifier;
import io.shardyfusion.records.TextRecordReader;
import io.shardyfusion.routing.KeyEncoding;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/**
 * {@code shardy demo}: the main job end to end. Builds a snapshot from
 * {@code examples/data/users.jsonl} with {@link BuildSnapshot} (a local directory under
 * {@code work-data/}), then reads it back the way a service would and checks it with the shared
 * {@link SnapshotVerifier}: the first, middle and last records return the value the job stored
 * for them, a key not in the input is absent, and the row count matches.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = {"Build a snapshot from examples/data/users.jsonl with the Beam job (Direct "
        + "runner by default, a local directory under work-data/), then read it back and check "
        + "it. Extra options go to the build, e.g. --runner=FlinkRunner --flinkMaster=[local]."},
    footer = {"", "Exit codes: 0 the snapshot reads back as written, 1 the job failed or a "
        + "check failed, 2 bad options.", "",
        "Examples:", "  shardy demo", "  shardy demo --runner=FlinkRunner --flinkMaster=[local] "
        + "--parallelism=2", "  shardy demo --runner=SparkRunner --sparkMaster='local[2]'"})
final class DemoCommand implements Callable<Integer> {
  /** The repository root (bin/shardy sets it); default: the working directory. */
  static final String REPO_ROOT_PROPERTY = "shardyfusion.repo";

  @ParentCommand ShardyCli root;

  @Unmatched List<String> buildOptions = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    PrintStream out = root.context().out();
    PrintStream err = root.context().err();
    Path repo = Path.of(System.getProperty(REPO_ROOT_PROPERTY, "")).toAbsolutePath();
    Path input = repo.resolve("examples/data/users.jsonl");
    String output = "file://" + repo.resolve("work-data/snapshots/users");
    List<String> args = new ArrayList<>(List.of("--input=" + input, "--keyField=id",
        "--numDbs=8", "--output=" + output));
    args.addAll(BuildCommand.passThroughArgs(buildOptions, err));
    String[] beamArgs = args.toArray(String[]::new);
    BuildSnapshot.S3Access s3 = BuildCommand.s3Access(root);

    err.println("== building " + output + " from " + input + " (Beam job)");
    String[] runId = new String[1];
    int code = BuildSnapshot.run(beamArgs, s3, err, BuildCommand.printer(root)
        .andThen(r -> runId[0] = r.runId()));
    if (code != BuildSnapshot.EXIT_OK) {
      return code;
    }
    err.println("== reading it back");
    BuildSnapshot.Plan plan = BuildSnapshot.plan(BuildSnapshot.parse(beamArgs), s3);
    SnapshotVerifier.Report report = verify(plan, input, runId[0],
        repo.resolve("work-data/reader"));
    for (SnapshotVerifier.Lookup l : report.lookups()) {
      SnapshotVerifier.Expected e = l.expected();
      out.printf("%s: get(%s) -> %s%n", e.label() == null ? "absent key" : e.label(),
          SnapshotVerifier.describeKey(e.key()), l.matches()
              ? (e.value() == null ? "null, as expected" : "the record, as written")
              : "MISMATCH: " + SnapshotVerifier.describeValue(l.actual()));
    }
    SnapshotInfo info = report.info();
    out.printf("snapshot %s: %d rows in %d shards (%s), manifest %s%n", info.runId(),
        info.totalRows(), info.numDbs(), info.sharding(), info.manifestRef());
    report.problems().forEach(p -> out.println("MISMATCH: " + p));
    out.println(report.ok() ? "OK: the snapshot reads back as written"
        : "FAILED: " + report.problems().size() + " mismatches");
    return report.ok() ? 0 : 1;
  }

  /** Checks the first, middle and last record of the input and a key that is not in it. */
  static SnapshotVerifier.Report verify(BuildSnapshot.Plan plan, Path input, String runId,
      Path localRoot) {
    List<Record> records = new ArrayList<>();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    Set<String> stringKeys = new HashSet<>();
    try (TextRecordReader in = TextRecordReader.jsonl(input.toString(),
        Files.newBufferedReader(input, StandardCharsets.UTF_8))) {
      while (in.hasNext()) {
        Record r = in.next();
        records.add(r);
        Object key = plan.keyFn().apply(r);
        if (key instanceof Long k) {
          min = Math.min(min, k);
          max = Math.max(max, k);
        } else if (key instanceof String s) {
          stringKeys.add(s);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<SnapshotVerifier.Expected> expected = new ArrayList<>();
    if (!records.isEmpty()) {
      for (int i : new int[] {0, records.size() / 2, records.size() - 1}) {
        Record r = records.get(i);
        expected.add(new SnapshotVerifier.Expected(r.source().substring(
            r.source().lastIndexOf(':') + 1).transform(n -> "line " + n),
            plan.keyFn().apply(r), plan.valueFn().apply(r)));
      }
    }
    KeyEncoding encoding = plan.keyEncoding();
    Object absent = SnapshotVerifier.absentKey(encoding, records.size(), min, max, runId,
        stringKeys::contains);
    if (absent != null) {
      expected.add(new SnapshotVerifier.Expected(null, absent, null));
    }
    ReaderConfig.Builder config = ReaderConfig.builder().s3Prefix(plan.config().s3Prefix())
        .localRoot(localRoot).s3ConnectionOptions(plan.config().s3ConnectionOptions());
    if (plan.config().credentialProvider() != null) {
      config.credentialProvider(plan.config().credentialProvider());
    }
    try (ShardedReader reader = ShardedReader.open(config.build())) {
      return SnapshotVerifier.verify(reader, expected, records.size(), runId);
    }
  }
}
