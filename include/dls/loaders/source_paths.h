// Relative source paths in metadata files.
//
// A YAML or JSON file that says `source: data/orders` means the folder next to the file, not a
// folder of whatever directory `dls run` happens to start in. So the loaders resolve relative
// source paths against the directory of the file they read (the current directory for stdin) when
// they load, and the control table holds absolute paths: `cd elsewhere && dls run` reads the same
// files. The YAML export does the reverse for the file it writes: a path under the exported file's
// directory is written relative to it, so an exported file and its data can move together and
// load → export → load round-trips to the same absolute paths.
//
// A source is a path when the entity reads files (cloudFiles, csv, json, parquet, avro, orc, text)
// or a Delta table by path (source_format delta with a '/'); a source with a URL scheme
// (`s3://...`, `abfss://...`, `dbfs:/...`, `file:/...`) is left alone. Pure apart from reading
// the current directory; thread-safe.
#pragma once

#include <filesystem>
#include <vector>

#include "dls/core/entity.h"

namespace dls {

/// True when `entity.source` names a local file-system path (see the header comment).
bool source_is_local_path(const DeltaLiveEntity& entity);

/// Makes every relative local source path of `entities` absolute against `base_dir` (made
/// absolute first), lexically normal.
void resolve_source_paths(std::vector<DeltaLiveEntity>& entities,
                          const std::filesystem::path& base_dir);

/// Rewrites every absolute local source path under `base_dir` (made absolute first) relative to
/// it ("data/orders"); other paths stay as they are.
void relativize_source_paths(std::vector<DeltaLiveEntity>& entities,
                             const std::filesystem::path& base_dir);

/// The directory relative sources of the file `file` resolve against: its absolute parent.
std::filesystem::path base_directory_of(const std::filesystem::path& file);

}  // namespace dls
