#include "dls/core/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/core/suggest.h"
#include "metadata_value.h"

namespace dls {
namespace {

std::optional<SourceLocation> location_of(const YAML::Node& node, const std::string& file) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return std::nullopt;
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

Diagnostic error_at(std::optional<SourceLocation> location, std::string message,
                    std::string entity_id = "", std::string field = "") {
  return {Severity::kError, std::move(entity_id), std::move(field), std::move(message),
          std::move(location)};
}

// Records where each YAML document starts, to tell whether there is more than one.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Reads the documents of `text` without building them; returns where the second one starts, if
// there is one. yaml-cpp 0.7 (YAML::LoadAll) never returns on a token that cannot start a
// document, e.g. a top-level ',': each call yields an empty document without consuming the token,
// so LoadAll appends empty documents until memory runs out. Here a document that starts where the
// previous one started consumed nothing, which is reported as malformed YAML at that token.
std::optional<YAML::Mark> scan_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  while (parser.HandleNextDocument(handler)) {
    const auto& starts = handler.starts;
    const size_t n = starts.size();
    // Every real document consumes at least one byte, so there are at most text.size() + 1.
    if ((n >= 2 && starts[n - 1].pos == starts[n - 2].pos) || n > text.size() + 1) {
      const YAML::Mark at = starts.back();
      const size_t pos = static_cast<size_t>(std::max(at.pos, 0));
      std::string what = pos < text.size() ? "'" + std::string(1, text[pos]) + "'" : "text";
      throw YAML::ParserException(at, "unexpected " + what + " where a value should start");
    }
  }
  if (handler.starts.size() > 1) return handler.starts[1];
  return std::nullopt;
}

// Aliases share nodes, so a small text can stand for a huge tree ("a: &a [*x, *x, ...]" nested,
// each level doubling it) or a cycle ("a: &a [*a]"), and the decoder copies what it walks.
// Entities are shallow and a text of n bytes writes fewer than n + 1 nodes, so a tree deeper than
// kMaxDepth or larger than kMaxNodesPerByte * n + kMinNodeBudget can only come from aliases: it
// is rejected before decoding. The walk stops at the first limit, so it is bounded too.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodesPerByte = 4;
constexpr size_t kMinNodeBudget = 1000;

bool walk_within(const YAML::Node& node, int depth, size_t& budget) {
  if (depth > kMaxDepth || budget == 0) return false;
  --budget;
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!walk_within(item, depth + 1, budget)) return false;
    }
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!walk_within(it->first, depth + 1, budget) ||
          !walk_within(it->second, depth + 1, budget)) {
        return false;
      }
    }
  }
  return true;
}

std::optional<Diagnostic> check_size(const YAML::Node& root, size_t text_size,
                                     const std::string& file) {
  size_t budget = kMaxNodesPerByte * text_size + kMinNodeBudget;
  if (walk_within(root, 0, budget)) return std::nullopt;
  return error_at(SourceLocation{file, 1, 1},
                  "the YAML nests deeper than " + std::to_string(kMaxDepth) +
                      " levels or its aliases ('*name') expand it beyond " +
                      std::to_string(kMaxNodesPerByte) +
                      " values per byte of the file; write the values out instead");
}

// The end (one past the closing quote) of the quoted scalar that starts at `open`, or npos.
size_t closing_quote(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;  // an escaped character, maybe a quote
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted scalar
      } else {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

// The entity-format key a line of YAML would define ("    source: x", "  - entity_id: 1"), or "".
std::string_view key_of_line(std::string_view line) {
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  skip_blanks();
  while (i + 1 < line.size() && line[i] == '-' && (line[i + 1] == ' ' || line[i + 1] == '\t')) {
    ++i;
    skip_blanks();
  }
  const size_t start = i;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
    ++i;
  }
  if (i == start || i >= line.size() || line[i] != ':') return {};
  if (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t' && line[i + 1] != '\r') {
    return {};
  }
  const std::string_view key = line.substr(start, i - start);
  return detail::is_entity_format_key(key) ? key : std::string_view{};
}

// The offset of the first byte of `s` that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF included), or npos. Entities are stored as Delta
// strings and printed as JSON, which both require UTF-8.
size_t invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cont & 0x3F);
    }
    const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

// A quoted scalar whose closing quote is missing runs on to the next quote of the file, taking
// the following lines -- fields of this entity, whole entities -- into the string, and the file
// can still be valid YAML. So a quoted scalar of an entity spanning lines that read like
// entity-format keys ("source: ...", "- entity_id: ...") is reported at its opening quote.
// (A plain scalar cannot contain such lines: YAML ends it at "key: " or reads a mapping.)
// `entity_id` and `field` name the entity and its top-level field in the message.
void check_quoted_scalars(const YAML::Node& node, std::string_view text, const std::string& file,
                          const std::string& entity_id, const std::string& field,
                          Diagnostics& out) {
  if (node.IsSequence()) {
    for (const auto& item : node) check_quoted_scalars(item, text, file, entity_id, field, out);
    return;
  }
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      check_quoted_scalars(it->first, text, file, entity_id, field, out);
      check_quoted_scalars(it->second, text, file, entity_id, field, out);
    }
    return;
  }
  if (!node.IsScalar()) return;
  if (const size_t bad = invalid_utf8_at(node.Scalar()); bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(node.Scalar()[bad]));
    out.push_back(error_at(location_of(node, file),
                           std::string("this value is not valid UTF-8 (byte ") + byte +
                               " at offset " + std::to_string(bad) + "); save the file as UTF-8",
                           entity_id, field));
    return;
  }
  const YAML::Mark mark = node.Mark();
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) return;
  const size_t open = static_cast<size_t>(mark.pos);
  if (text[open] != '"' && text[open] != '\'') return;
  const size_t end = closing_quote(text, open);
  if (end == std::string_view::npos) return;
  const std::string_view raw = text.substr(open, end - open);
  size_t line_start = raw.find('\n');
  int line = mark.line + 1;
  while (line_start != std::string_view::npos) {
    ++line;
    const size_t next = raw.find('\n', line_start + 1);
    const std::string_view body = raw.substr(
        line_start + 1, (next == std::string_view::npos ? raw.size() : next) - line_start - 1);
    if (std::string_view key = key_of_line(body); !key.empty()) {
      out.push_back(error_at(location_of(node, file),
                             std::string("this quoted string runs over ") +
                                 std::to_string(std::count(raw.begin(), raw.end(), '\n') + 1) +
                                 " lines and contains '" + std::string(key) + ":' on line " +
                                 std::to_string(line) + "; is its closing " +
                                 (text[open] == '"' ? "\"" : "'") + " missing?",
                             entity_id, field));
      return;
    }
    line_start = next;
  }
}

void check_entity_strings(const YAML::Node& item, std::string_view text, const std::string& file,
                          Diagnostics& out) {
  if (!item.IsMap()) {
    check_quoted_scalars(item, text, file, "", "", out);
    return;
  }
  std::string entity_id;
  for (auto it = item.begin(); it != item.end(); ++it) {
    // An id swallowing lines is itself the problem: it would make an unreadable name.
    if (it->first.IsScalar() && it->first.Scalar() == "entity_id" && it->second.IsScalar() &&
        it->second.Scalar().find('\n') == std::string::npos && it->second.Scalar().size() <= 64) {
      entity_id = it->second.Scalar();
    }
  }
  for (auto it = item.begin(); it != item.end(); ++it) {
    const std::string field = it->first.IsScalar() ? it->first.Scalar() : "";
    check_quoted_scalars(it->first, text, file, entity_id, "", out);
    check_quoted_scalars(it->second, text, file, entity_id, field, out);
  }
}

// Parses and checks; `entities` receives what could be decoded (only meaningful without errors).
Diagnostics check(std::string_view text, const std::string& file,
                  std::vector<DeltaLiveEntity>* entities) {
  Diagnostics out;
  const SourceLocation start{file, 1, 1};
  const std::string copy(text);
  std::optional<YAML::Mark> second_document;
  YAML::Node root;
  try {
    second_document = scan_documents(copy);
    root = YAML::Load(copy);
  } catch (const YAML::Exception& e) {
    std::optional<SourceLocation> loc;
    if (e.mark.line >= 0) loc = SourceLocation{file, e.mark.line + 1, e.mark.column + 1};
    out.push_back(error_at(loc ? loc : start, "malformed YAML: " + e.msg));
    return out;
  }
  const std::string expected =
      "a mapping with the key 'delta_live_store' holding a list of entities";
  if (!root.IsDefined() || root.IsNull()) {
    out.push_back(error_at(start, "the file is empty; expected " + expected));
    return out;
  }
  if (second_document) {
    out.push_back(
        error_at(SourceLocation{file, second_document->line + 1, second_document->column + 1},
                 "more than one YAML document ('---'); put all entities under one "
                 "'delta_live_store' list"));
  }
  if (auto too_big = check_size(root, copy.size(), file)) {
    out.push_back(std::move(*too_big));
    return out;
  }
  if (!root.IsMap()) {
    out.push_back(error_at(
        location_of(root, file),
        "expected " + expected +
            (root.IsSequence() ? "; put the list under a top-level 'delta_live_store:' key" : "")));
    return out;
  }
  std::optional<YAML::Node> list;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "<non-scalar key>";
    if (key != kYamlRootKey) {
      out.push_back(
          error_at(location_of(it->first, file), "unknown top-level key '" + key +
                                                     "'; expected only 'delta_live_store'" +
                                                     did_you_mean(key, {kYamlRootKey})));
    } else if (list) {
      out.push_back(error_at(location_of(it->first, file), "duplicate key 'delta_live_store'"));
    } else {
      list = it->second;
      if (!list->IsSequence()) {
        auto loc = location_of(*list, file);
        out.push_back(error_at(loc ? loc : location_of(it->first, file),
                               "'delta_live_store' must be a list of entities (items starting "
                               "with '- entity_id: ...')"));
        list.reset();
        return out;
      }
    }
  }
  if (!list) {
    if (out.empty()) out.push_back(error_at(start, "missing the top-level key 'delta_live_store'"));
    return out;
  }
  std::map<std::string, std::optional<SourceLocation>> first_seen;
  YamlDecodeOptions options{file, /*allow_generated=*/false};
  for (const auto& item : *list) {
    check_entity_strings(item, text, file, out);
    DeltaLiveEntity entity = decode_entity_yaml(item, options, out);
    if (!entity.entity_id.empty() && item.IsMap()) {
      std::optional<SourceLocation> id_loc = location_of(item, file);
      for (auto it = item.begin(); it != item.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "entity_id") {
          id_loc = location_of(it->second, file);
        }
      }
      auto [seen, inserted] = first_seen.emplace(entity.entity_id, id_loc);
      if (!inserted) {
        out.push_back(error_at(id_loc,
                               "duplicate entity_id '" + entity.entity_id + "'" +
                                   (seen->second ? " (first defined at line " +
                                                       std::to_string(seen->second->line) + ")"
                                                 : std::string()) +
                                   "; each entity_id may appear once per file",
                               entity.entity_id, "entity_id"));
      }
    }
    if (entities) entities->push_back(std::move(entity));
  }
  return out;
}

}  // namespace

Diagnostics check_yaml_document(std::string_view text, std::string file) {
  return check(text, file, nullptr);
}

YamlDocument parse_yaml_document(std::string_view text, std::string file) {
  YamlDocument doc;
  doc.file = file;
  Diagnostics all = check(text, file, &doc.entities);
  throw_if_errors(all);
  for (auto& d : all) doc.warnings.push_back(std::move(d));
  for (const auto& entity : doc.entities) {
    auto it = std::find_if(doc.groups.begin(), doc.groups.end(),
                           [&](const auto& g) { return g.first == entity.group; });
    if (it == doc.groups.end()) {
      doc.groups.push_back({entity.group, {}});
      it = std::prev(doc.groups.end());
    }
    it->second.push_back(entity);
  }
  return doc;
}

YamlDocument load_yaml_document(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw NotFoundError("cannot read YAML file " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_yaml_document(text.str(), path.string());
}

std::string to_yaml_document(const std::vector<DeltaLiveEntity>& entities,
                             std::string_view schema_path) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << std::string(kYamlRootKey) << YAML::Value;
  if (entities.empty()) {
    out << YAML::Flow;
  }
  out << YAML::BeginSeq;
  for (const auto& entity : entities) emit_yaml(out, entity);
  out << YAML::EndSeq << YAML::EndMap;
  std::string text;
  if (!schema_path.empty()) {
    text = "# yaml-language-server: $schema=" + std::string(schema_path) + "\n\n";
  }
  return text + out.c_str() + "\n";
}

}  // namespace dls
