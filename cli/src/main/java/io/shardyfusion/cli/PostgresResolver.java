package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.manifest.CurrentPointer;
import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.manifest.postgres.PostgresConfig;
import io.shardyfusion.manifest.postgres.PostgresManifestStore;
import io.shardyfusion.storage.StorageLocation;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Manifests and the pointer in PostgreSQL ({@code manifest-postgres}):
 * {@code jdbc:postgresql://host:5432/db?user=shardy&dataset=users}. shardy's own query
 * parameters ({@code user}, {@code dataset}, {@code table_prefix}, {@code shards}, and for the
 * Python system's tables {@code layout=python}, {@code table_name}, {@code pointer_table}) are
 * taken out; the rest go to the driver. The password comes from {@code $PGPASSWORD} when it is set (the
 * libpq convention), else from {@code ~/.pgpass} or trust authentication; never from the URL.
 * Shards are read from {@code shards=<s3://...|file:///...>}, or by default from the
 * {@code s3_prefix} the current manifest records.
 */
final class PostgresResolver implements ManifestStoreResolver {
  static final String SCHEME = "jdbc:postgresql://";
  static final String PASSWORD_ENV = "PGPASSWORD";

  private final CliContext ctx;

  PostgresResolver(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean handles(String currentUrl) {
    return currentUrl.startsWith(SCHEME);
  }

  @Override
  public Resolved open(String currentUrl, Access access) {
    int q = currentUrl.indexOf('?');
    String base = q < 0 ? currentUrl : currentUrl.substring(0, q);
    Map<String, String> ours = new LinkedHashMap<>();
    List<String> driver = new ArrayList<>();
    if (q >= 0) {
      for (String pair : currentUrl.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1),
            StandardCharsets.UTF_8);
        switch (name) {
          case "user", "dataset", "table_prefix", "shards", "layout", "table_name",
              "pointer_table" -> ours.put(name, value);
          case "password", "sslpassword" -> throw new UsageException("--current-url must not "
              + "carry a password (" + name + "=): export " + PASSWORD_ENV
              + " or use ~/.pgpass");
          default -> driver.add(pair);
        }
      }
    }
    String jdbcUrl = driver.isEmpty() ? base : base + "?" + String.join("&", driver);
    PostgresConfig.Builder b = PostgresConfig.builder().jdbcUrl(jdbcUrl)
        .user(ours.getOrDefault("user", ctx.env("USER") != null ? ctx.env("USER") : "postgres"));
    if (ctx.env(PASSWORD_ENV) != null) {
      b.passwordFromEnv(PASSWORD_ENV);
    }
    PostgresConfig config;
    try {
      // layout, table_name, pointer_table (the Python system's tables), dataset, table_prefix
      ours.forEach((name, value) -> PostgresConfig.applyUrlParameter(b, name, value));
      config = b.build();
    } catch (ConfigValidationException e) {
      // The URL's query is not repeated: it may hold driver options with secrets.
      throw new UsageException("--current-url " + base + "?...: " + e.getMessage(), e);
    }
    PostgresManifestStore store = new PostgresManifestStore(config);
    String shards = ours.get("shards");
    String prefix;
    try {
      prefix = shards != null ? StorageLocation.parse(shards).url() : shardsOf(store);
    } catch (RuntimeException e) {
      store.close();
      if (e instanceof ConfigValidationException) {
        throw new UsageException("--current-url '" + currentUrl + "': shards=" + shards
            + ": " + e.getMessage(), e);
      }
      throw e;
    }
    return new Resolved(store, prefix, PostgresManifestStore.factory(config), () -> { });
  }

  /** The prefix the current (else the newest) manifest's shards were written under. */
  private static String shardsOf(ManifestStore store) {
    Optional<String> ref = store.loadCurrent().map(CurrentPointer::manifestRef)
        .or(() -> store.listManifestRefs(1).stream().findFirst());
    if (ref.isEmpty()) {
      throw new io.shardyfusion.errors.StorageException("no snapshot is published in "
          + store.location() + "; publish one first, or name the shards' prefix with "
          + "&shards=s3://bucket/prefix", false);
    }
    return store.loadManifest(ref.get()).required().s3Prefix();
  }
}
