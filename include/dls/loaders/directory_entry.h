// DirectoryEntry: one immediate sub-directory of a local data directory, as the directory loader
// hands it to a factory (the seed's FileServiceLoader listed a Databricks volume the same way).
//
//   /data/landing/           list_directory_entries("/data/landing") →
//     orders/  *.csv           {name "orders",    path "/data/landing/orders",    file_format
//     "csv"} customers/ *.json        {name "customers", path "/data/landing/customers",
//     file_format "json"} readme.txt               (files at the top level are ignored) .staging/
//     _checkpoint/   (hidden: names starting with '.' or '_', as Spark and Hadoop hide
//                               them, are ignored)
//
// file_format is detected from the extensions of the regular files below the directory
// (recursively, hidden files and directories skipped, at most kMaxScannedFiles files looked at):
// the most frequent known format wins, ties going to the order of kFileFormats. Compression
// suffixes (.gz, .bz2, .zst, .snappy, .lz4, .deflate) are looked through ("a.csv.gz" is csv).
// Pure apart from reading the file system; thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dls {

struct DirectoryEntry {
  std::string name;                        ///< the directory's own name ("orders")
  std::filesystem::path path;              ///< absolute, lexically normal
  std::optional<std::string> file_format;  ///< detected from the files, see the header comment
  std::size_t file_count = 0;              ///< regular files seen (capped at kMaxScannedFiles)

  friend bool operator==(const DirectoryEntry&, const DirectoryEntry&) = default;
};

/// File formats the detection knows (Auto Loader's cloudFiles.format values), in tie-break order.
inline constexpr std::string_view kFileFormats[] = {"csv", "json", "parquet", "avro",
                                                    "orc", "xml",  "text"};

/// At most this many files are examined per directory by format detection.
inline constexpr std::size_t kMaxScannedFiles = 10000;

/// The format a file name denotes ("part-0.csv.gz" → "csv", "a.jsonl" → "json", "a.txt" →
/// "text"), or std::nullopt.
std::optional<std::string> file_format_of(std::string_view file_name);

/// True for names Spark treats as hidden: starting with '.' or '_'.
bool is_hidden_name(std::string_view name);

/// A DirectoryEntry for the directory `path` (must exist).
DirectoryEntry make_directory_entry(const std::filesystem::path& path);

/// One entry per immediate, non-hidden sub-directory of `root` (symbolic links to directories
/// included), sorted by name so that every run sees the same order. Throws dls::NotFoundError
/// when `root` is not a readable directory.
std::vector<DirectoryEntry> list_directory_entries(const std::filesystem::path& root);

}  // namespace dls
