package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The object store contract on the {@code file://} store, plus its own path rules. */
class LocalObjectStoreTest extends ObjectStoreContractTest {

  @Override
  ObjectStore newStore() throws Exception {
    return new LocalObjectStore(Files.createDirectories(tmp.resolve("store")));
  }

  @Test
  void baseUrlIsTheFileUrlOfTheRoot() {
    assertThat(store.baseUrl()).isEqualTo("file://" + tmp.resolve("store").toAbsolutePath());
  }

  @Test
  void keysCannotEscapeTheRoot() {
    assertThatThrownBy(() -> store.put("../outside", new byte[] {1}, "text/plain"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("escapes the store root");
    assertThat(tmp.resolve("outside")).doesNotExist();
  }

  /**
   * Tasks of one Beam job list run records while others rewrite theirs: the temp files of those
   * writes appear and vanish under the listing. Caught a real failure (Files.walk threw
   * UncheckedIOException for a vanished temp file and failed a Direct-runner write).
   */
  @Test
  void listingWhileOthersRewriteAndDeleteSeesOnlyWholeObjects() throws Exception {
    store.put("runs/a/run.yaml", new byte[] {1}, "text/plain");
    AtomicBoolean stop = new AtomicBoolean();
    Thread churn = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        store.put("runs/a/run.yaml", new byte[] {(byte) i}, "text/plain");
        store.put("runs/b" + (i % 3) + "/run.yaml", new byte[] {2}, "text/plain");
        store.delete("runs/b" + (i % 3) + "/run.yaml"); // prunes the emptied directory
      }
    });
    churn.start();
    try {
      for (int i = 0; i < 3_000; i++) {
        assertThat(store.list("runs/")).extracting(ObjectInfo::key)
            .contains("runs/a/run.yaml")
            .allMatch(k -> k.endsWith("/run.yaml"));
      }
    } finally {
      stop.set(true);
      churn.join();
    }
  }

  @Test
  void openingAFilePrefixGivesALocalStore() {
    try (ObjectStore s = ObjectStores.open(tmp.toUri().toString(), null, null)) {
      assertThat(s).isInstanceOf(LocalObjectStore.class);
      Path p = tmp.resolve("x");
      s.put("x", new byte[] {7}, "application/octet-stream");
      assertThat(p).hasBinaryContent(new byte[] {7});
    }
  }
}
