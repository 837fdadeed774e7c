package io.shardyfusion.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh temp directory for each test whose Beam job may fail, instead of {@code @TempDir}: it
 * is deleted once the runner's other tasks stop writing there ({@link
 * DirectPipelines#deleteWhenDone}), where {@code @TempDir} would fail the test.
 *
 * <pre>{@code
 * @RegisterExtension final PipelineTempDir tmp = new PipelineTempDir();
 * ... tmp.resolve("store") ...
 * }</pre>
 */
public final class PipelineTempDir implements BeforeEachCallback, AfterEachCallback {
  private Path path;

  /** This test's directory. */
  public Path path() {
    return path;
  }

  /** {@code path().resolve(other)}. */
  public Path resolve(String other) {
    return path.resolve(other);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    path = Files.createTempDirectory("shardy-pipeline-");
  }

  @Override
  public void afterEach(ExtensionContext context) {
    DirectPipelines.deleteWhenDone(path);
  }
}
