package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
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
