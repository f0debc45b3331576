// content_hash: the stable fingerprint of an entity's user-provided content.
//
// The store compares it with the latest version's `hash` to decide whether an upsert changes
// anything (DESIGN §3). It covers every user-provided field of the *normalized* entity
// (entity.h: is_streaming as forced by source_format) — entity_id, group, source, source_format,
// destination, destination_type, source_schema, select_expr, is_streaming, primary_keys,
// read_options, table_properties, tags, spark_conf, partition_cols, comment, expectations,
// apply_changes, is_quarantined — and is_enabled: disabling or enabling writes a new version, and
// re-loading a file that says enabled must re-enable a disabled entity, so the enabled state is
// part of the content. It excludes the generated columns id, created_ts, expired_ts, created_by,
// modified_by, is_latest and hash.
//
// Definition (version 1, pinned by a test): SHA-256 of the canonical JSON of those fields — an
// object with keys sorted by byte order, no whitespace, non-ASCII escaped as \uXXXX, nulls for
// absent optionals, group "" as null — printed as 64 lowercase hex digits. The value is the same
// in every process, on every machine and across releases unless the version is bumped. Thread-safe.
#pragma once

#include <string>

#include "dls/core/entity.h"

namespace dls {

/// 64 lowercase hex digits (see the header comment).
std::string content_hash(const DeltaLiveEntity& entity);

/// The canonical JSON text that content_hash digests (for debugging and tests).
std::string canonical_content(const DeltaLiveEntity& entity);

/// SHA-256 of `data` as lowercase hex (OpenSSL EVP). Throws dls::Error if OpenSSL fails.
std::string sha256_hex(const std::string& data);

}  // namespace dls
