package io.shardyfusion.cli;

import java.util.List;

/** Every {@link ManifestStoreResolver}; a new kind of manifest store is one more entry. */
public final class ManifestStoreResolvers {
  private ManifestStoreResolvers() {}

  static List<ManifestStoreResolver> all(CliContext ctx) {
    return List.of(new ObjectStoreResolver(), new PostgresResolver(ctx));
  }

  /**
   * The resolver for a URL.
   *
   * @throws UsageException when none handles it
   */
  public static ManifestStoreResolver forUrl(String currentUrl, CliContext ctx) {
    for (ManifestStoreResolver r : all(ctx)) {
      if (r.handles(currentUrl)) {
        return r;
      }
    }
    throw new UsageException("--current-url '" + currentUrl + "' is not supported; use "
        + "s3://bucket/prefix/_CURRENT, file:///dir/_CURRENT or "
        + "jdbc:postgresql://host:5432/db?user=ROLE&dataset=NAME (add &layout=python"
        + "&table_name=T for the Python system's tables)");
  }
}
