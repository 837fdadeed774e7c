package io.shardyfusion.bench;

import io.shardyfusion.testing.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a store-comparing benchmark works (a picocli mixin): S3Proxy by default, or file. */
final class Workspace {
  @Option(names = "--store", defaultValue = "s3", description = "s3 (S3Proxy here) or file")
  String storeKind;

  @Option(names = "--dir", description = "work directory (default: a temp dir)")
  Path dir;

  /** --dir, or a new temporary directory named after the benchmark. */
  Path work(String bench) throws IOException {
    return dir != null ? dir : Files.createTempDirectory("shardy-bench-" + bench);
  }

  /** A started S3Proxy for --store s3, else null (a local directory store). */
  S3ProxyServer startS3() {
    return storeKind.equals("s3") ? S3ProxyServer.start() : null;
  }
}
