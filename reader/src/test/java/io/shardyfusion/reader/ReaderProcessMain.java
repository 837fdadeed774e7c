package io.shardyfusion.reader;

import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A reader process for the crash and shared-cache tests: opens a {@link ShardedReader} on an S3
 * prefix and a {@code localRoot}, prints {@code OPEN <runId>}, then answers one line per
 * command on stdin:
 *
 * <ul>
 *   <li>{@code verify <tag> <keys>}: reads keys {@code 0..keys-1}, expecting {@code tag:key};
 *       {@code VERIFIED <runId> errors=<n>}
 *   <li>{@code refresh <tag> <keys>}: refresh, wait for its eviction, then verify;
 *       {@code REFRESHED <changed> <runId> errors=<n>}
 *   <li>{@code dirs}: {@code DIRS <local shard directories in use, comma-separated>}
 *   <li>{@code evict}: {@code EVICTED <directories deleted>}
 *   <li>{@code quit}: closes the reader, {@code BYE}
 * </ul>
 *
 * <p>Args: endpoint accessKey secretKey region prefix localRoot phase nth; phase {@code
 * DOWNLOAD} stops in the nth shard download with half its bytes written (see {@link
 * PausingObjectStore}), downloading one file at a time.
 */
public final class ReaderProcessMain {
  public static void main(String[] args) throws Exception {
    PausingObjectStore.Phase phase = PausingObjectStore.Phase.valueOf(args[6]);
    AtomicInteger matches = new AtomicInteger();
    ObjectStores.instrument(s -> new PausingObjectStore(s, phase, Integer.parseInt(args[7]),
        matches));
    ReaderConfig config = ReaderConfig.builder().s3Prefix(args[4]).localRoot(Path.of(args[5]))
        .credentialProvider(new StaticCredentialProvider(args[1], args[2]))
        .s3ConnectionOptions(S3ConnectionOptions.builder().endpointUrl(args[0])
            .addressingStyle("path").region(args[3]).build())
        // one download at a time when stopping in one, so the files before it are complete
        .downloadParallelism(phase == PausingObjectStore.Phase.DOWNLOAD ? 1 : 4)
        .build();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    try (ShardedReader reader = ShardedReader.open(config)) {
      say("OPEN " + reader.snapshotInfo().runId());
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.trim().split(" ");
        try {
          switch (cmd[0]) {
            case "verify" -> say("VERIFIED " + reader.snapshotInfo().runId() + " errors="
                + errors(reader, cmd[1], Long.parseLong(cmd[2])));
            case "refresh" -> {
              boolean changed = reader.refresh();
              reader.awaitHousekeeping();
              say("REFRESHED " + changed + " " + reader.snapshotInfo().runId() + " errors="
                  + errors(reader, cmd[1], Long.parseLong(cmd[2])));
            }
            case "dirs" -> say("DIRS " + reader.shardDetails().stream()
                .map(ShardDetail::localPath).filter(Objects::nonNull).map(Path::toString)
                .collect(Collectors.joining(",")));
            case "evict" -> say("EVICTED " + reader.evictUnusedLocalFiles());
            case "quit" -> {
              say("BYE");
              return;
            }
            default -> say("ERROR unknown command " + line);
          }
        } catch (Exception e) {
          say("ERROR " + e);
        }
      }
    }
  }

  /** Keys that failed or read a value other than {@code tag:key}. */
  private static long errors(ShardedReader reader, String tag, long keys) {
    long errors = 0;
    for (long k = 0; k < keys; k++) {
      try {
        if (!TestSnapshots.value(tag, k).equals(TestSnapshots.str(reader.get(k)))) {
          errors++;
        }
      } catch (RuntimeException e) {
        errors++;
      }
    }
    return errors;
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
