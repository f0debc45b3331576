// What dls can write: the protocol versions, writer features and table properties whose writer
// requirements (PROTOCOL.md "Writer Version Requirements", "Table Features") we honour. Writing
// to a table that needs more is refused with UnsupportedFeatureError before any file is written,
// so we never leave a table that other engines would consider corrupt.
#pragma once

#include <optional>
#include <string>

#include "dls/delta/action.h"

namespace dls::delta {

/// Throws UnsupportedFeatureError (naming the table, the feature and why) when dls cannot write
/// to a table with this protocol and metadata. `removes_rows` (delete/overwrite) additionally
/// refuses append-only tables.
void check_writable(const Protocol& protocol, const Metadata& metadata,
                    const std::string& table_root, bool removes_rows);

/// Throws UnsupportedFeatureError (naming the table and the features) when dls cannot vacuum a
/// table with this protocol. Vacuum writes no commit but deletes files, so it must understand
/// every writer feature that puts files in the table or references them — deletion vectors, change
/// data, v2 checkpoints — and refuses writer versions and features it does not know
/// (vacuumProtocolCheck asks exactly this: check the writer protocol, not only the reader one,
/// before vacuuming). Reader features are checked when the snapshot is loaded.
void check_vacuumable(const Protocol& protocol, const std::string& table_root);

/// The protocol a new table with this metadata needs: 1/2, or 3/7 with the timestampNtz feature
/// when a column (at any depth) is timestamp_ntz.
Protocol protocol_for_new_table(const Metadata& metadata);

/// The protocol an existing table needs after its metadata becomes `metadata`, or nullopt when
/// `current` already allows it. Today the one feature a metadata change can need is timestampNtz
/// (a timestamp_ntz column added by schema evolution): the table then moves to reader 3 / writer 7
/// in the same commit, keeping every feature its old versions implied (PROTOCOL.md "Table
/// Features": a legacy writer version's features become explicit writer features).
std::optional<Protocol> protocol_upgrade(const Protocol& current, const Metadata& metadata);

/// Integer table property (e.g. delta.checkpointInterval) or `fallback` when absent. Throws
/// InvalidMetadataError for a value that is not a positive integer.
int64_t int_property(const Metadata& metadata, const std::string& key, int64_t fallback);

/// A Delta interval property ("interval 7 days", "interval 12 hours", "1 week") in milliseconds,
/// or `fallback_ms` when absent. Throws InvalidMetadataError for an unparsable value.
int64_t interval_property_ms(const Metadata& metadata, const std::string& key, int64_t fallback_ms);

}  // namespace dls::delta
