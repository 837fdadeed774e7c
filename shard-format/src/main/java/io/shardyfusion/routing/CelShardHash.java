package io.shardyfusion.routing;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.UnsignedLong;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelFunctionBinding;

/**
 * CEL's {@code shard_hash(x) -> uint}: the same XXH3-64 digest as {@link ShardHash}, so
 * {@code shard_hash(key) % 8u} routes exactly like the HASH strategy over 8 shards.
 */
final class CelShardHash {
  static final String NAME = "shard_hash";

  static final CelFunctionDecl DECLARATION = CelFunctionDecl.newFunctionDeclaration(NAME,
      CelOverloadDecl.newGlobalOverload("shard_hash_int", SimpleType.UINT, SimpleType.INT),
      CelOverloadDecl.newGlobalOverload("shard_hash_uint", SimpleType.UINT, SimpleType.UINT),
      CelOverloadDecl.newGlobalOverload("shard_hash_string", SimpleType.UINT, SimpleType.STRING),
      CelOverloadDecl.newGlobalOverload("shard_hash_bytes", SimpleType.UINT, SimpleType.BYTES));

  static final ImmutableList<CelFunctionBinding> BINDINGS = ImmutableList.of(
      CelFunctionBinding.from("shard_hash_int", Long.class,
          v -> UnsignedLong.fromLongBits(ShardHash.digest((long) v))),
      // A uint hashes the same 8 little-endian bytes as the int with the same bits.
      CelFunctionBinding.from("shard_hash_uint", UnsignedLong.class,
          v -> UnsignedLong.fromLongBits(ShardHash.digest(v.longValue()))),
      CelFunctionBinding.from("shard_hash_string", String.class,
          v -> UnsignedLong.fromLongBits(ShardHash.digest(v))),
      CelFunctionBinding.from("shard_hash_bytes", CelByteString.class,
          v -> UnsignedLong.fromLongBits(ShardHash.digest(v.toByteArray()))));

  private CelShardHash() {}
}
