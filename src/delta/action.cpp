// The JSON codec of Delta log actions (PROTOCOL.md "Actions").
//
// Reading is tolerant where real writers differ (optional fields as JSON null, non-string values in
// string maps) and strict where a wrong reading would change the table (a missing add.path, a
// non-numeric size). metaData.schemaString is read leniently (empty when absent) because a log may
// carry an incomplete metaData that a later one replaces; Snapshot refuses a table whose effective
// metaData has no schema.
#include "dls/delta/action.h"

#include <cmath>
#include <limits>
#include <string_view>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"

namespace dls::delta {

using nlohmann::json;

namespace {

[[noreturn]] void malformed(std::string_view action, std::string_view field, std::string_view why) {
  throw Error(std::string(action) + "." + std::string(field) + ": " + std::string(why));
}

const json* find(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string req_string(const json& obj, const char* action, const char* key) {
  const json* v = find(obj, key);
  if (!v) malformed(action, key, "required field is missing");
  if (!v->is_string()) malformed(action, key, "expected a string");
  return v->get<std::string>();
}

std::optional<std::string> opt_string(const json& obj, const char* action, const char* key) {
  const json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) malformed(action, key, "expected a string");
  return v->get<std::string>();
}

/// `v` as an int64, or why it is not one. A float is accepted only when it is integral and within
/// the int64 range (a cast of 1.6e21 or NaN would be undefined behaviour and silently wrong); an
/// unsigned integer only up to INT64_MAX.
int64_t to_int(const json& v, const char* action, const char* key) {
  if (auto n = json_to_int64(v)) return *n;
  if (v.is_number()) {
    malformed(action, key,
              "the number " + v.dump() + " is not an integer in the 64-bit range (" +
                  std::to_string(std::numeric_limits<int64_t>::min()) + ".." +
                  std::to_string(std::numeric_limits<int64_t>::max()) + ")");
  }
  malformed(action, key, "expected an integer, got " + v.dump().substr(0, 100));
}

/// An integer field with a narrower valid range (e.g. a 32-bit DV size, a non-negative file size).
int64_t in_range(int64_t n, int64_t lo, int64_t hi, const char* action, const char* key) {
  if (n < lo || n > hi) {
    malformed(action, key,
              "the value " + std::to_string(n) + " is out of range (" + std::to_string(lo) + ".." +
                  std::to_string(hi) + ")");
  }
  return n;
}

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

int64_t req_int(const json& obj, const char* action, const char* key) {
  const json* v = find(obj, key);
  if (!v) malformed(action, key, "required field is missing");
  return to_int(*v, action, key);
}

std::optional<int64_t> opt_int(const json& obj, const char* action, const char* key) {
  const json* v = find(obj, key);
  if (!v) return std::nullopt;
  return to_int(*v, action, key);
}

std::optional<bool> opt_bool(const json& obj, const char* action, const char* key) {
  const json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    if (*v == "true") return true;
    if (*v == "false") return false;
  }
  malformed(action, key, "expected a boolean");
}

/// A JSON value that should be a string, as a string (other scalars are rendered as JSON).
std::string as_text(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::map<std::string, std::string> string_map(const json& obj, const char* action,
                                              const char* key) {
  std::map<std::string, std::string> out;
  const json* v = find(obj, key);
  if (!v) return out;
  if (!v->is_object()) malformed(action, key, "expected an object");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it.value().is_null()) continue;
    out.emplace(it.key(), as_text(it.value()));
  }
  return out;
}

std::optional<std::map<std::string, std::string>> opt_string_map(const json& obj,
                                                                 const char* action,
                                                                 const char* key) {
  if (!find(obj, key)) return std::nullopt;
  return string_map(obj, action, key);
}

PartitionValues partition_values(const json& v, const char* action) {
  PartitionValues out;
  if (v.is_null()) return out;
  if (!v.is_object()) malformed(action, "partitionValues", "expected an object");
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.value().is_null())
      out.emplace(it.key(), std::nullopt);
    else
      out.emplace(it.key(), as_text(it.value()));
  }
  return out;
}

std::optional<std::vector<std::string>> opt_string_list(const json& obj, const char* action,
                                                        const char* key) {
  const json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_array()) malformed(action, key, "expected an array");
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const auto& e : *v) {
    if (!e.is_string()) malformed(action, key, "expected an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<DeletionVectorDescriptor> deletion_vector(const json& obj, const char* action) {
  const json* v = find(obj, "deletionVector");
  if (!v) return std::nullopt;
  if (!v->is_object()) malformed(action, "deletionVector", "expected an object");
  DeletionVectorDescriptor dv;
  dv.storage_type = req_string(*v, "deletionVector", "storageType");
  dv.path_or_inline_dv = req_string(*v, "deletionVector", "pathOrInlineDv");
  // The protocol declares offset and sizeInBytes as 32-bit ints; none of them can be negative.
  if (auto off = opt_int(*v, "deletionVector", "offset"))
    dv.offset = static_cast<int32_t>(in_range(*off, 0, kInt32Max, "deletionVector", "offset"));
  dv.size_in_bytes = static_cast<int32_t>(in_range(req_int(*v, "deletionVector", "sizeInBytes"), 0,
                                                   kInt32Max, "deletionVector", "sizeInBytes"));
  dv.cardinality = in_range(req_int(*v, "deletionVector", "cardinality"), 0, kInt64Max,
                            "deletionVector", "cardinality");
  return dv;
}

json deletion_vector_to_json(const DeletionVectorDescriptor& dv) {
  json j = {{"storageType", dv.storage_type},
            {"pathOrInlineDv", dv.path_or_inline_dv},
            {"sizeInBytes", dv.size_in_bytes},
            {"cardinality", dv.cardinality}};
  if (dv.offset) j["offset"] = *dv.offset;
  return j;
}

json partition_values_to_json(const PartitionValues& values) {
  json j = json::object();
  for (const auto& [k, v] : values) {
    if (v)
      j[k] = *v;
    else
      j[k] = nullptr;
  }
  return j;
}

json string_map_to_json(const std::map<std::string, std::string>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

Protocol protocol_from(const json& b) {
  Protocol p;
  p.min_reader_version = static_cast<int>(in_range(req_int(b, "protocol", "minReaderVersion"), 0,
                                                   kInt32Max, "protocol", "minReaderVersion"));
  p.min_writer_version = static_cast<int>(in_range(req_int(b, "protocol", "minWriterVersion"), 0,
                                                   kInt32Max, "protocol", "minWriterVersion"));
  p.reader_features = opt_string_list(b, "protocol", "readerFeatures");
  p.writer_features = opt_string_list(b, "protocol", "writerFeatures");
  return p;
}

Metadata metadata_from(const json& b) {
  Metadata m;
  m.id = req_string(b, "metaData", "id");
  m.name = opt_string(b, "metaData", "name");
  m.description = opt_string(b, "metaData", "description");
  if (const json* f = find(b, "format")) {
    if (!f->is_object()) malformed("metaData", "format", "expected an object");
    if (auto provider = opt_string(*f, "metaData.format", "provider"))
      m.format.provider = *provider;
    m.format.options = string_map(*f, "metaData.format", "options");
  }
  m.schema_string = opt_string(b, "metaData", "schemaString").value_or("");
  if (auto cols = opt_string_list(b, "metaData", "partitionColumns")) m.partition_columns = *cols;
  m.configuration = string_map(b, "metaData", "configuration");
  m.created_time = opt_int(b, "metaData", "createdTime");
  return m;
}

AddFile add_from(const json& b) {
  AddFile a;
  a.path = req_string(b, "add", "path");
  if (const json* pv = find(b, "partitionValues"))
    a.partition_values = partition_values(*pv, "add");
  a.size = in_range(opt_int(b, "add", "size").value_or(0), 0, kInt64Max, "add", "size");
  a.modification_time = opt_int(b, "add", "modificationTime").value_or(0);
  a.data_change = opt_bool(b, "add", "dataChange").value_or(true);
  a.stats = opt_string(b, "add", "stats");
  a.tags = opt_string_map(b, "add", "tags");
  a.deletion_vector = deletion_vector(b, "add");
  a.base_row_id = opt_int(b, "add", "baseRowId");
  a.default_row_commit_version = opt_int(b, "add", "defaultRowCommitVersion");
  a.clustering_provider = opt_string(b, "add", "clusteringProvider");
  return a;
}

RemoveFile remove_from(const json& b) {
  RemoveFile r;
  r.path = req_string(b, "remove", "path");
  r.deletion_timestamp = opt_int(b, "remove", "deletionTimestamp");
  r.data_change = opt_bool(b, "remove", "dataChange").value_or(true);
  r.extended_file_metadata = opt_bool(b, "remove", "extendedFileMetadata");
  if (const json* pv = find(b, "partitionValues"))
    r.partition_values = partition_values(*pv, "remove");
  r.size = opt_int(b, "remove", "size");
  if (r.size) in_range(*r.size, 0, kInt64Max, "remove", "size");
  r.stats = opt_string(b, "remove", "stats");
  r.tags = opt_string_map(b, "remove", "tags");
  r.deletion_vector = deletion_vector(b, "remove");
  r.base_row_id = opt_int(b, "remove", "baseRowId");
  r.default_row_commit_version = opt_int(b, "remove", "defaultRowCommitVersion");
  return r;
}

SetTransaction txn_from(const json& b) {
  SetTransaction t;
  t.app_id = req_string(b, "txn", "appId");
  t.version = req_int(b, "txn", "version");
  t.last_updated = opt_int(b, "txn", "lastUpdated");
  return t;
}

DomainMetadata domain_from(const json& b) {
  DomainMetadata d;
  d.domain = req_string(b, "domainMetadata", "domain");
  d.configuration = opt_string(b, "domainMetadata", "configuration").value_or("");
  d.removed = opt_bool(b, "domainMetadata", "removed").value_or(false);
  return d;
}

struct ToJson {
  json operator()(const Protocol& p) const {
    json b = {{"minReaderVersion", p.min_reader_version},
              {"minWriterVersion", p.min_writer_version}};
    if (p.reader_features) b["readerFeatures"] = *p.reader_features;
    if (p.writer_features) b["writerFeatures"] = *p.writer_features;
    return {{"protocol", std::move(b)}};
  }
  json operator()(const Metadata& m) const {
    json b = {
        {"id", m.id},
        {"format",
         {{"provider", m.format.provider}, {"options", string_map_to_json(m.format.options)}}},
        {"schemaString", m.schema_string},
        {"partitionColumns", m.partition_columns},
        {"configuration", string_map_to_json(m.configuration)}};
    if (m.name) b["name"] = *m.name;
    if (m.description) b["description"] = *m.description;
    if (m.created_time) b["createdTime"] = *m.created_time;
    return {{"metaData", std::move(b)}};
  }
  json operator()(const AddFile& a) const {
    json b = {{"path", a.path},
              {"partitionValues", partition_values_to_json(a.partition_values)},
              {"size", a.size},
              {"modificationTime", a.modification_time},
              {"dataChange", a.data_change}};
    if (a.stats) b["stats"] = *a.stats;
    if (a.tags) b["tags"] = string_map_to_json(*a.tags);
    if (a.deletion_vector) b["deletionVector"] = deletion_vector_to_json(*a.deletion_vector);
    if (a.base_row_id) b["baseRowId"] = *a.base_row_id;
    if (a.default_row_commit_version) b["defaultRowCommitVersion"] = *a.default_row_commit_version;
    if (a.clustering_provider) b["clusteringProvider"] = *a.clustering_provider;
    return {{"add", std::move(b)}};
  }
  json operator()(const RemoveFile& r) const {
    json b = {{"path", r.path}, {"dataChange", r.data_change}};
    if (r.deletion_timestamp) b["deletionTimestamp"] = *r.deletion_timestamp;
    if (r.extended_file_metadata) b["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) b["partitionValues"] = partition_values_to_json(*r.partition_values);
    if (r.size) b["size"] = *r.size;
    if (r.stats) b["stats"] = *r.stats;
    if (r.tags) b["tags"] = string_map_to_json(*r.tags);
    if (r.deletion_vector) b["deletionVector"] = deletion_vector_to_json(*r.deletion_vector);
    if (r.base_row_id) b["baseRowId"] = *r.base_row_id;
    if (r.default_row_commit_version) b["defaultRowCommitVersion"] = *r.default_row_commit_version;
    return {{"remove", std::move(b)}};
  }
  json operator()(const SetTransaction& t) const {
    json b = {{"appId", t.app_id}, {"version", t.version}};
    if (t.last_updated) b["lastUpdated"] = *t.last_updated;
    return {{"txn", std::move(b)}};
  }
  json operator()(const CommitInfo& c) const { return {{"commitInfo", c.fields}}; }
  json operator()(const DomainMetadata& d) const {
    return {{"domainMetadata",
             {{"domain", d.domain}, {"configuration", d.configuration}, {"removed", d.removed}}}};
  }
  json operator()(const OtherAction& o) const { return {{o.kind, o.body}}; }
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// commitInfo is free-form, but its timestamps feed history and time travel: a number there must be
/// an int64 (a non-numeric `timestamp` is ignored, as readers must not depend on commitInfo).
void check_commit_info(const json& b) {
  if (const json* ts = find(b, "timestamp"); ts && ts->is_number())
    to_int(*ts, "commitInfo", "timestamp");
  if (const json* ict = find(b, "inCommitTimestamp"))
    to_int(*ict, "commitInfo", "inCommitTimestamp");
}

}  // namespace

std::optional<int64_t> json_to_int64(const json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // [-2^63, 2^63): both bounds are exact doubles, and NaN fails every comparison.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d)
      return std::nullopt;
    return static_cast<int64_t>(d);
  }
  // Some writers quote numbers; accept a plain decimal integer.
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    try {
      size_t pos = 0;
      int64_t n = std::stoll(s, &pos);
      if (pos == s.size()) return n;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string DeletionVectorDescriptor::unique_id() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

std::string AddFile::key() const {
  // '\n' cannot appear in a log path (JSON lines), so it separates path and DV id unambiguously.
  return deletion_vector ? path + "\n" + deletion_vector->unique_id() : path;
}

std::string RemoveFile::key() const {
  return deletion_vector ? path + "\n" + deletion_vector->unique_id() : path;
}

std::optional<int64_t> CommitInfo::timestamp() const {
  auto it = fields.find("timestamp");
  if (it == fields.end() || !it->is_number()) return std::nullopt;
  return json_to_int64(*it);
}

std::optional<int64_t> CommitInfo::in_commit_timestamp() const {
  auto it = fields.find("inCommitTimestamp");
  if (it == fields.end() || it->is_null()) return std::nullopt;
  return json_to_int64(*it);
}

std::optional<std::string> CommitInfo::operation() const {
  auto it = fields.find("operation");
  if (it == fields.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Action action_from_json(const json& line) {
  if (!line.is_object() || line.size() != 1) {
    throw Error("an action must be a JSON object with exactly one key, got: " +
                line.dump().substr(0, 200));
  }
  auto it = line.begin();
  const std::string& kind = it.key();
  const json& body = it.value();
  if (kind == "add" || kind == "remove" || kind == "metaData" || kind == "protocol" ||
      kind == "txn" || kind == "domainMetadata" || kind == "commitInfo") {
    if (!body.is_object()) malformed(kind, "", "expected an object");
  }
  if (kind == "add") return add_from(body);
  if (kind == "remove") return remove_from(body);
  if (kind == "metaData") return metadata_from(body);
  if (kind == "protocol") return protocol_from(body);
  if (kind == "txn") return txn_from(body);
  if (kind == "commitInfo") {
    check_commit_info(body);
    return CommitInfo{body};
  }
  if (kind == "domainMetadata") return domain_from(body);
  return OtherAction{kind, body};
}

json action_to_json(const Action& action) {
  return std::visit(ToJson{}, action);
}

std::vector<Action> parse_commit(const std::string& content, const std::string& where) {
  std::vector<Action> actions;
  size_t pos = 0;
  int line_no = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    ++line_no;
    std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line.begin(), line.end());
    } catch (const json::exception& e) {
      throw CorruptTableError(where + ": line " + std::to_string(line_no) +
                              ": invalid JSON (truncated or garbled commit): " + e.what());
    }
    try {
      actions.push_back(action_from_json(j));
    } catch (const CorruptTableError&) {
      throw;
    } catch (const Error& e) {
      throw CorruptTableError(where + ": line " + std::to_string(line_no) + ": " + e.what());
    } catch (const json::exception& e) {
      throw CorruptTableError(where + ": line " + std::to_string(line_no) + ": " + e.what());
    }
  }
  // Every writer puts at least one action (commitInfo, or the change itself) in a commit. An empty
  // or blank file is what a crashed or non-atomic copy leaves: reading it as an empty commit would
  // hide the version's real changes, and a writer would build the next version on top of it.
  if (actions.empty()) {
    throw CorruptTableError(
        where + ": the file holds no action (" +
        (content.empty() ? std::string("it is empty") : "it holds only whitespace") +
        "); it was truncated or left behind by a crashed writer or copy. "
        "Restore it from a backup or remove it if the version was never "
        "completed");
  }
  return actions;
}

std::string serialize_commit(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) {
    out += action_to_json(a).dump();
    out += '\n';
  }
  return out;
}

std::string decode_path(const std::string& uri_path) {
  std::string_view p = uri_path;
  // Absolute URIs: file:///abs/path, file:/abs/path. The scheme and authority are not part of the
  // filesystem path.
  if (p.rfind("file://", 0) == 0) {
    p.remove_prefix(7);
    // file://host/path: drop the (empty or local) authority.
    if (!p.empty() && p.front() != '/') {
      size_t slash = p.find('/');
      p = slash == std::string_view::npos ? std::string_view() : p.substr(slash);
    }
  } else if (p.rfind("file:", 0) == 0) {
    p.remove_prefix(5);
  }
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '%' && i + 2 < p.size() && hex_value(p[i + 1]) >= 0 && hex_value(p[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(p[i + 1]) * 16 + hex_value(p[i + 2])));
      i += 2;
    } else {
      out.push_back(p[i]);
    }
  }
  return out;
}

std::string encode_path(const std::string& relative_path) {
  // RFC 3986 path characters stay as they are: unreserved, sub-delims, ':', '@' and '/'. Every
  // other byte (including '%', ' ', '#', '?' and non-ASCII UTF-8) is percent-encoded, which is
  // what Spark's Hadoop Path.toUri does for the characters partition directories contain.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(relative_path.size());
  for (unsigned char c : relative_path) {
    bool keep =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        std::string_view("-._~!$&'()*+,;=:@/").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace dls::delta
