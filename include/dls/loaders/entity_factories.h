// The directory loader's factories (the seed's entity_from_directory_entry and
// medallion_from_directory_entry): functions turning one DirectoryEntry into the entities that
// ingest it.
//
//   entity_from_directory_entry()      /data/orders → orders_bronze (cloudFiles, reads the files)
//   medallion_from_directory_entry()   /data/orders → orders_bronze → orders_silver (dlt)
//
// Bronze: source = the directory's absolute path, source_format = options.source_format
// (default cloudFiles). For cloudFiles, read_options gets "cloudFiles.format" = options.file_format
// or else the detected format of the entry; a csv source also gets header=true;
// options.read_options are applied last and win. A cloudFiles entry whose format is neither given
// nor detectable (an empty directory) is an InvalidMetadataError telling to pass a format. For a
// batch format (csv, json, parquet, ...) the format is the source_format itself and no
// cloudFiles.format is set. Silver (medallion only): source = the bronze destination, source_format
// dlt, streaming.
//
// Destinations are prefix + table_part(entry.name) + suffix per layer ("main.etl." + "orders" +
// "_bronze" → "main.etl.orders_bronze"); table_part lower-cases the name and replaces every
// character outside [a-z0-9_] with '_' (and prepends '_' to a leading digit), so any directory
// name gives a safe table name part. Entity ids are deterministic_entity_id(group, destination)
// (entity_id.h): the same directory gives the same ids on every run and machine.
//
// Per-layer options (tags, expectations, quarantine, keys, ...) are copied onto that layer's
// entity; the group goes on every entity. The factories validate nothing themselves: the store
// validates before writing. Factories are copyable values, safe to call from several threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/loaders/directory_entry.h"

namespace dls {

/// Makes the entities of one directory.
using EntityFactory = std::function<std::vector<DeltaLiveEntity>(const DirectoryEntry&)>;

/// What a factory puts on the entity of one layer (bronze or silver).
struct LayerOptions {
  std::string prefix;  ///< destination prefix, e.g. "main.etl." or "raw_"
  std::string suffix;  ///< destination suffix, e.g. "_bronze"
  StringMap tags;
  Expectations expectations;
  bool is_quarantined = false;
  StringList primary_keys;
  StringList select_expr;
  StringMap table_properties;
  StringList partition_cols;
  std::optional<ApplyChanges> apply_changes;
  std::optional<std::string> comment;  ///< "{name}" is replaced by the directory name
};

struct DirectoryFactoryOptions {
  std::string group;                         ///< "" = no group
  std::string source_format = "cloudFiles";  ///< bronze source_format
  std::optional<std::string> file_format;    ///< cloudFiles.format; default: detected
  StringMap read_options;                    ///< bronze read options (win over derived ones)
  std::optional<std::string> source_schema;  ///< bronze source_schema (Spark DDL)
  LayerOptions bronze{.suffix = "_bronze"};
  LayerOptions silver{.suffix = "_silver"};  ///< medallion only
};

/// The table-name part for a directory name (see the header comment); "" stays "".
std::string table_part(std::string_view directory_name);

/// One bronze entity per directory.
EntityFactory entity_from_directory_entry(DirectoryFactoryOptions options = {});

/// A bronze entity and a silver entity reading it, per directory.
EntityFactory medallion_from_directory_entry(DirectoryFactoryOptions options = {});

}  // namespace dls
