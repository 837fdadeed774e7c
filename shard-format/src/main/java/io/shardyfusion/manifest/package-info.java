/**
 * The manifest model (Manifest, BuildMeta, ShardMeta, ShardFile, ShardingMeta) and the _CURRENT
 * pointer, the contract between every writer and every reader. ManifestFormat is the encoding
 * SPI: ManifestFormats.decode picks the format by the bytes, writers choose one by name;
 * ManifestCodec encodes pointers and holds the shared JSON mapper; ManifestSchemas ships the
 * JSON Schemas.
 */
package io.shardyfusion.manifest;
