// Deletion vector decoding: Z85, the DV file layout, and RoaringBitmapArray via CRoaring.
#include "dls/delta/deletion_vector.h"

#include <roaring/roaring.h>

#include <array>
#include <cstring>
#include <memory>
#include <random>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"

namespace dls::delta {

namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kRoaringBitmapArrayMagic = 1681511377;

std::array<int8_t, 256> z85_decoder() {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (size_t i = 0; i < kZ85Alphabet.size(); ++i)
    table[static_cast<unsigned char>(kZ85Alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

uint32_t crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t read_u32_le(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint64_t read_u64_le(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void append_u32_le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void append_u64_le(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void append_u32_be(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t read_u32_be(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string uuid_from_bytes(std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto c = static_cast<unsigned char>(b[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

struct RoaringFree {
  void operator()(roaring_bitmap_t* r) const { roaring_bitmap_free(r); }
};

}  // namespace

std::string z85_decode(std::string_view text) {
  static const std::array<int8_t, 256> decoder = z85_decoder();
  if (text.size() % 5 != 0) {
    throw CorruptTableError("invalid Z85 data: length " + std::to_string(text.size()) +
                            " is not a multiple of 5");
  }
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t value = 0;
    for (size_t k = 0; k < 5; ++k) {
      int8_t d = decoder[static_cast<unsigned char>(text[i + k])];
      if (d < 0) throw CorruptTableError("invalid Z85 character in deletion vector data");
      value = value * 85 + static_cast<uint64_t>(d);
    }
    if (value > 0xFFFFFFFFull) throw CorruptTableError("invalid Z85 group (value overflows)");
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  }
  return out;
}

std::string z85_encode(std::string_view bytes) {
  if (bytes.size() % 4 != 0) throw Error("Z85 encoding needs a multiple of 4 bytes");
  std::string out;
  out.reserve(bytes.size() / 4 * 5);
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t value = read_u32_be(bytes.data() + i);
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = kZ85Alphabet[value % 85];
      value /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

std::string deletion_vector_path(const DeletionVectorDescriptor& dv,
                                 const std::string& table_root) {
  if (dv.storage_type == "u") {
    const std::string& s = dv.path_or_inline_dv;
    if (s.size() < 20) {
      throw CorruptTableError("deletion vector descriptor '" + s +
                              "': a 'u' descriptor needs a 20-character Z85 UUID");
    }
    std::string prefix = s.substr(0, s.size() - 20);
    std::string uuid = uuid_from_bytes(z85_decode(std::string_view(s).substr(s.size() - 20)));
    std::string dir = table_root;
    if (!prefix.empty()) dir += "/" + prefix;
    return dir + "/deletion_vector_" + uuid + ".bin";
  }
  if (dv.storage_type == "p") {
    std::string path = decode_path(dv.path_or_inline_dv);
    if (path.empty() || path.front() != '/') path = table_root + "/" + path;
    return path;
  }
  if (dv.storage_type == "i") throw Error("an inline deletion vector has no file");
  throw CorruptTableError("unknown deletion vector storage type '" + dv.storage_type + "'");
}

std::vector<uint64_t> parse_roaring_bitmap_array(std::string_view bytes) {
  if (bytes.size() < 12) throw CorruptTableError("deletion vector bitmap is truncated");
  if (read_u32_le(bytes.data()) != kRoaringBitmapArrayMagic) {
    throw CorruptTableError("deletion vector bitmap has an unknown magic number " +
                            std::to_string(read_u32_le(bytes.data())));
  }
  uint64_t buckets = read_u64_le(bytes.data() + 4);
  size_t pos = 12;
  std::vector<uint64_t> rows;
  for (uint64_t b = 0; b < buckets; ++b) {
    if (pos + 4 > bytes.size()) throw CorruptTableError("deletion vector bitmap is truncated");
    uint64_t key = read_u32_le(bytes.data() + pos);
    pos += 4;
    size_t left = bytes.size() - pos;
    size_t size = roaring_bitmap_portable_deserialize_size(bytes.data() + pos, left);
    if (size == 0 || size > left) throw CorruptTableError("deletion vector bitmap is malformed");
    std::unique_ptr<roaring_bitmap_t, RoaringFree> bitmap(
        roaring_bitmap_portable_deserialize_safe(bytes.data() + pos, left));
    if (!bitmap) throw CorruptTableError("deletion vector bitmap is malformed");
    pos += size;
    uint64_t n = roaring_bitmap_get_cardinality(bitmap.get());
    std::vector<uint32_t> low(n);
    if (n) roaring_bitmap_to_uint32_array(bitmap.get(), low.data());
    rows.reserve(rows.size() + n);
    for (uint32_t v : low) rows.push_back((key << 32) | v);
  }
  return rows;
}

std::vector<uint64_t> read_deletion_vector(const Storage& storage, const std::string& table_root,
                                           const DeletionVectorDescriptor& dv) {
  std::vector<uint64_t> rows;
  std::string where;
  if (dv.storage_type == "i") {
    where = "inline deletion vector";
    std::string bytes;
    try {
      bytes = z85_decode(dv.path_or_inline_dv);
    } catch (const CorruptTableError& e) {
      throw CorruptTableError(where + ": " + e.what());
    }
    if (dv.size_in_bytes < 0 || static_cast<size_t>(dv.size_in_bytes) > bytes.size()) {
      throw CorruptTableError(where + ": sizeInBytes " + std::to_string(dv.size_in_bytes) +
                              " exceeds the decoded data");
    }
    bytes.resize(static_cast<size_t>(dv.size_in_bytes));
    try {
      rows = parse_roaring_bitmap_array(bytes);
    } catch (const CorruptTableError& e) {
      throw CorruptTableError(where + ": " + e.what());
    }
  } else {
    std::string path = deletion_vector_path(dv, table_root);
    where = "deletion vector file " + path;
    std::string content;
    try {
      content = storage.read(path);
    } catch (const NotFoundError&) {
      throw CorruptTableError(where + " does not exist (referenced by the log)");
    }
    // The first DV of a file starts after its one-byte format version.
    size_t offset = static_cast<size_t>(dv.offset.value_or(1));
    if (offset + 4 > content.size()) throw CorruptTableError(where + ": offset beyond the file");
    uint32_t size = read_u32_be(content.data() + offset);
    if (offset + 4 + size + 4 > content.size()) throw CorruptTableError(where + ": truncated");
    std::string_view data(content.data() + offset + 4, size);
    uint32_t stored_crc = read_u32_be(content.data() + offset + 4 + size);
    if (crc32(data) != stored_crc) throw CorruptTableError(where + ": CRC-32 mismatch");
    try {
      rows = parse_roaring_bitmap_array(data);
    } catch (const CorruptTableError& e) {
      throw CorruptTableError(where + ": " + e.what());
    }
  }
  if (static_cast<int64_t>(rows.size()) != dv.cardinality) {
    throw CorruptTableError(where + ": holds " + std::to_string(rows.size()) +
                            " deleted rows but the log says cardinality " +
                            std::to_string(dv.cardinality));
  }
  return rows;
}

std::string serialize_roaring_bitmap_array(const std::vector<uint64_t>& sorted_rows) {
  std::string out;
  append_u32_le(out, kRoaringBitmapArrayMagic);
  // Buckets: one per distinct high 32 bits, in ascending order.
  std::vector<std::pair<size_t, size_t>> buckets;  // [begin, end) in sorted_rows
  for (size_t i = 0; i < sorted_rows.size();) {
    if (i && sorted_rows[i] <= sorted_rows[i - 1])
      throw Error("deletion vector rows must be ascending and distinct");
    size_t j = i + 1;
    while (j < sorted_rows.size() && (sorted_rows[j] >> 32) == (sorted_rows[i] >> 32)) {
      if (sorted_rows[j] <= sorted_rows[j - 1])
        throw Error("deletion vector rows must be ascending and distinct");
      ++j;
    }
    buckets.emplace_back(i, j);
    i = j;
  }
  append_u64_le(out, buckets.size());
  std::vector<uint32_t> low;
  for (const auto& [begin, end] : buckets) {
    append_u32_le(out, static_cast<uint32_t>(sorted_rows[begin] >> 32));
    low.clear();
    for (size_t k = begin; k < end; ++k) low.push_back(static_cast<uint32_t>(sorted_rows[k]));
    std::unique_ptr<roaring_bitmap_t, RoaringFree> bitmap(
        roaring_bitmap_of_ptr(low.size(), low.data()));
    if (!bitmap) throw Error("out of memory building a deletion vector");
    roaring_bitmap_run_optimize(bitmap.get());
    size_t size = roaring_bitmap_portable_size_in_bytes(bitmap.get());
    size_t at = out.size();
    out.resize(at + size);
    roaring_bitmap_portable_serialize(bitmap.get(), out.data() + at);
  }
  return out;
}

DeletionVectorFileBuilder::DeletionVectorFileBuilder() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::random_device fresh;
  for (int i = 0; i < 2; ++i) {
    uint64_t word = rng() ^ (static_cast<uint64_t>(fresh()) << 32) ^ fresh();
    for (int b = 7; b >= 0; --b) uuid_bytes_.push_back(static_cast<char>((word >> (8 * b)) & 0xFF));
  }
  uuid_bytes_[6] = static_cast<char>((uuid_bytes_[6] & 0x0F) | 0x40);  // version 4
  uuid_bytes_[8] = static_cast<char>((uuid_bytes_[8] & 0x3F) | 0x80);  // RFC 4122 variant
  z85_id_ = z85_encode(uuid_bytes_);
  content_.push_back(1);  // format version
}

DeletionVectorDescriptor DeletionVectorFileBuilder::add(const std::vector<uint64_t>& sorted_rows) {
  if (sorted_rows.empty()) throw Error("an empty deletion vector is not written");
  std::string bitmap = serialize_roaring_bitmap_array(sorted_rows);
  if (bitmap.size() > 0x7FFFFFFFu || content_.size() > 0x7FFFFFFFu - bitmap.size() - 8)
    throw Error("deletion vector file too large");
  DeletionVectorDescriptor dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = z85_id_;
  dv.offset = static_cast<int32_t>(content_.size());
  dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
  dv.cardinality = static_cast<int64_t>(sorted_rows.size());
  append_u32_be(content_, static_cast<uint32_t>(bitmap.size()));
  content_ += bitmap;
  append_u32_be(content_, crc32(bitmap));
  ++count_;
  return dv;
}

std::string DeletionVectorFileBuilder::path(const std::string& table_root) const {
  return table_root + "/deletion_vector_" + uuid_from_bytes(uuid_bytes_) + ".bin";
}

void DeletionVectorFileBuilder::write(Storage& storage, const std::string& table_root) const {
  storage.write_atomic(path(table_root), content_);
}

}  // namespace dls::delta
