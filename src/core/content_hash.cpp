#include "dls/core/content_hash.h"

#include <openssl/evp.h>

#include <memory>

#include "dls/core/entity_codec.h"
#include "dls/core/error.h"

namespace dls {

std::string canonical_content(const DeltaLiveEntity& entity) {
  nlohmann::json j = to_json(normalized(entity));
  for (const char* generated :
       {"id", "created_ts", "expired_ts", "created_by", "modified_by", "is_latest", "hash"}) {
    j.erase(generated);
  }
  // to_json writes the fields added after the seed (where_clause, query, flow_name, once,
  // sink_format, sink_options) only when set, so the hash of an entity that does not use them
  // is what it was before they existed.
  return j.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
}

std::string content_hash(const DeltaLiveEntity& entity) {
  return sha256_hex(canonical_content(entity));
}

std::string sha256_hex(const std::string& data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    throw Error("SHA-256 failed in OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace dls
