// YamlLoader: loads the seed's YAML file format (yaml_document.h) into a DeltaLiveStore.
//
//   YamlLoader("config.yml").load(store);
//
// A run:
//   1. parses and validates the whole file — every error is reported, each located
//      "file:line:column: error: ..." (dls::MetadataErrors, exit code 3) — and writes nothing
//      when there is any;
//   2. synchronises each group the file mentions (group_sync.h): the group's latest enabled
//      entities missing from the file are disabled, with the downstream cascade of
//      DeltaLiveStore::disable;
//   3. upserts the file's entities (SCD2: unchanged content writes nothing).
// Before step 2 the load is planned against the store (load_plan.h): an entity the file moves to
// another group is refused unless `options.allow_move`, and enabled entities reading each other
// in a cycle are refused; every such problem is listed and nothing is written.
// Steps 2 and 3 are ONE upsert call, hence one atomic Delta commit: readers see the old state or
// the whole new one, and a crash never leaves a group half synchronised. Loading the same file
// twice writes nothing the second time. A disabled entity the file lists (enabled by default)
// is enabled again, as the file says.
//
// Concurrency: the store's upsert retries its own commit on conflicts, but the set of entities
// to disable is computed from the latest versions read just before it. If another process
// changes one of those entities in between, the load writes its disabled copy of the version it
// read (the other process's version stays in the history). Loads of different groups, and
// concurrent changes to entities that are not being disabled, are safe.
//
// Throws dls::NotFoundError when the file cannot be read, dls::Error when the store is not
// initialised, dls::MetadataErrors / InvalidMetadataError for invalid metadata; in every case
// the store is unchanged. Not thread-safe (one loader per thread); the file is read by load().
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dls/core/yaml_document.h"
#include "dls/loaders/load_plan.h"
#include "dls/loaders/load_summary.h"
#include "dls/loaders/loader.h"

namespace dls {

class YamlLoader : public DeltaLiveStoreLoader {
 public:
  /// A loader of the file at `path`.
  explicit YamlLoader(std::filesystem::path path);

  /// A loader of YAML `text` (e.g. read from stdin); `name` names it in messages.
  static YamlLoader from_text(std::string text, std::string name = "<stdin>");

  /// Parses and validates without touching any store; throws like load(). Relative source paths
  /// come back absolute, resolved against the file's directory (the current directory for text;
  /// source_paths.h).
  YamlDocument parse() const;

  /// Loads into `store` (see the header comment) and says what changed.
  LoadSummary run(DeltaLiveStore& store, const LoadOptions& options = {}) const;

  /// run(store), as the seed's DeltaLiveStoreLoader. Disabled entities are among `updated`.
  StoreChange load(DeltaLiveStore& store) override;

 private:
  YamlLoader() = default;
  std::filesystem::path path_;
  std::optional<std::string> text_;
  std::string name_;
};

}  // namespace dls
