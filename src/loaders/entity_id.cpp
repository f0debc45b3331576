#include "dls/loaders/entity_id.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "dls/core/error.h"

namespace dls {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::array<unsigned char, 16> parse_uuid(std::string_view text) {
  std::array<unsigned char, 16> bytes{};
  std::size_t n = 0;
  int high = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v = hex_value(c);
    if (v < 0 || n >= bytes.size()) throw Error("not a UUID: '" + std::string(text) + "'");
    if (high < 0) {
      high = v;
    } else {
      bytes[n++] = static_cast<unsigned char>(high << 4 | v);
      high = -1;
    }
  }
  if (n != bytes.size() || high >= 0) throw Error("not a UUID: '" + std::string(text) + "'");
  return bytes;
}

}  // namespace

std::string uuid_v5(std::string_view namespace_uuid, std::string_view name) {
  const auto ns = parse_uuid(namespace_uuid);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), ns.data(), ns.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length < 16) {
    throw Error("SHA-1 failed while computing a UUID");
  }
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

std::string deterministic_entity_id(std::string_view group, std::string_view destination) {
  std::string name = "dls:entity:";
  name += group;
  name += '/';
  name += destination;
  return uuid_v5(kUrlNamespace, name);
}

}  // namespace dls
