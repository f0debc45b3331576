// Deletion vectors (PROTOCOL.md "Deletion Vectors", "Deletion Vector Format"): the set of row
// indexes of a data file that are deleted, stored inline in the log (Z85) or in a file next to
// the data (storage type 'u', named by a Z85-encoded UUID) or at an absolute path ('p').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dls/delta/action.h"
#include "dls/delta/storage.h"

namespace dls::delta {

/// Z85 (ZeroMQ RFC 32) decoding: every 5 characters become 4 bytes. Throws CorruptTableError when
/// the length is not a multiple of 5 or a character is outside the alphabet.
std::string z85_decode(std::string_view text);
/// Z85 encoding; `bytes.size()` must be a multiple of 4 (throws dls::Error otherwise).
std::string z85_encode(std::string_view bytes);

/// The absolute path of the file holding the DV (storage types 'u' and 'p'). For 'u', the last 20
/// characters of pathOrInlineDv are the Z85-encoded UUID and any characters before them a
/// sub-directory: <table_root>/<prefix>/deletion_vector_<uuid>.bin. Throws CorruptTableError for
/// a malformed descriptor, dls::Error for 'i' (inline DVs have no file).
std::string deletion_vector_path(const DeletionVectorDescriptor& dv, const std::string& table_root);

/// Parses a serialized RoaringBitmapArray (little-endian magic 1681511377, then the portable 64-bit
/// Roaring format) into sorted row indexes. Throws CorruptTableError on malformed bytes.
std::vector<uint64_t> parse_roaring_bitmap_array(std::string_view bytes);

/// The deleted row indexes of `dv`, sorted ascending. Reads the DV file through `storage` (checking
/// the stored size and CRC-32) or decodes the inline bytes. Throws CorruptTableError — naming the
/// DV file — when it is missing or damaged, or when its cardinality differs from the descriptor's
/// (never a silently wrong row set).
std::vector<uint64_t> read_deletion_vector(const Storage& storage, const std::string& table_root,
                                           const DeletionVectorDescriptor& dv);

/// Serializes sorted, distinct row indexes as a RoaringBitmapArray (the inverse of
/// parse_roaring_bitmap_array): magic, bucket count, then per high 32 bits the key and the
/// portable 32-bit Roaring bitmap of the low bits (run-optimised, as CRoaring writes it).
std::string serialize_roaring_bitmap_array(const std::vector<uint64_t>& sorted_rows);

/// One deletion vector file (storage type 'u') holding the DVs of one commit: a format-version
/// byte, then per DV its big-endian size, the RoaringBitmapArray and its big-endian CRC-32. The
/// file is named by a fresh UUID at construction, so two writers never share one.
class DeletionVectorFileBuilder {
 public:
  DeletionVectorFileBuilder();
  /// Appends the DV of `sorted_rows` (non-empty, ascending, distinct) and returns its descriptor.
  DeletionVectorDescriptor add(const std::vector<uint64_t>& sorted_rows);
  bool empty() const { return count_ == 0; }
  /// The file's absolute path under `table_root`.
  std::string path(const std::string& table_root) const;
  /// Writes the file (atomically, fsynced). Call once, after the last add(), before the commit.
  void write(Storage& storage, const std::string& table_root) const;

 private:
  std::string uuid_bytes_;  // 16 bytes
  std::string z85_id_;      // the descriptor's pathOrInlineDv
  std::string content_;
  int count_ = 0;
};

}  // namespace dls::delta
