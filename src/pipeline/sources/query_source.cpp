#include "pipeline/sources/query_source.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/spark_error.h"
#include "pipeline/sources/delta_source.h"
#include "pipeline/sources/dlt_source.h"

namespace dls::pipeline::sources {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

QuerySource::QuerySource(const DeltaLiveEntity& entity, const SourceContext& context)
    : entity_(entity), context_(context) {
  const std::string& query = entity.query.value_or("");
  try {
    refs_ = sql::spark::analyze_table_references(query);
  } catch (const Error& e) {
    throw InvalidMetadataError("entity '" + entity.entity_id + "': query: " + e.what());
  }
  std::map<std::string, size_t> by_view;  // lower-case view name -> input
  for (const auto& ref : refs_.tables) {
    const std::string name = sql::spark::joined_name(ref.names);
    const std::string view = ref.names.back();
    auto [it, inserted] = by_view.emplace(lower(view), inputs_.size());
    if (!inserted) {
      const Input& other = inputs_[it->second];
      if (lower(other.name) == lower(name) && other.streaming == ref.streaming) continue;
      throw InvalidMetadataError(
          "entity '" + entity.entity_id + "': query: '" + name + "'" +
          (ref.streaming ? " (read with STREAM)" : "") + " and '" + other.name + "'" +
          (other.streaming ? " (read with STREAM)" : "") + " are two inputs named " + view +
          "; the local engine needs one input per table name (read the table once, or give the "
          "tables different names)");
    }
    Input input;
    input.name = name;
    input.view_name = view;
    input.streaming = ref.streaming;
    input.entity.entity_id = entity.entity_id;
    input.entity.source = name;
    input.entity.source_format = "dlt";
    input.entity.destination = entity.destination;
    input.entity.is_streaming = ref.streaming;
    inputs_.push_back(std::move(input));
  }
}

Source& QuerySource::source_of(Input& input) {
  if (!input.source) input.source = std::make_unique<DltSource>(input.entity, context_);
  return *input.source;
}

std::string QuerySource::query_sql(sql::Connection& con,
                                   const std::vector<std::string>& relations) {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    con.execute("CREATE OR REPLACE TEMP VIEW " + sql::quote_identifier(inputs_[i].view_name) +
                " AS " + relations[i]);
  }
  sql::spark::TranslateOptions options;
  options.resolve_table = [](const std::vector<std::string>& names) {
    return sql::quote_identifier(names.back());
  };
  try {
    return sql::spark::translate_query(refs_.text, options);
  } catch (const Error& e) {
    throw InvalidMetadataError("entity '" + entity_.entity_id + "': query: " + e.what());
  }
}

std::optional<nlohmann::json> QuerySource::plan(const nlohmann::json& committed) {
  nlohmann::json inputs = nlohmann::json::object();
  bool any = false;
  for (auto& input : inputs_) {
    if (!input.streaming) continue;
    nlohmann::json previous = nullptr;
    if (committed.is_object() && committed.contains("inputs") &&
        committed["inputs"].contains(input.name)) {
      previous = committed["inputs"][input.name]["offsets"];
    }
    std::optional<nlohmann::json> next = source_of(input).plan(previous);
    if (next) {
      inputs[input.name] = {{"offsets", *next}, {"new", true}};
      any = true;
    } else {
      inputs[input.name] = {{"offsets", previous}, {"new", false}};
    }
  }
  if (!any) return std::nullopt;
  return nlohmann::json{{"source", "query"}, {"inputs", inputs}};
}

SourceBatch QuerySource::batch(sql::Connection& con, const nlohmann::json& planned) {
  SourceBatch out;
  out.offsets = planned;
  std::vector<std::string> relations;
  for (auto& input : inputs_) {
    Source& source = source_of(input);
    if (!input.streaming) {
      relations.push_back(source.full_sql(con));  // stream-static: the current version
      continue;
    }
    const nlohmann::json& entry = planned.at("inputs").at(input.name);
    if (entry.at("new").get<bool>()) {
      SourceBatch b = source.batch(con, entry.at("offsets"));
      out.input_files += b.input_files;
      out.input_bytes += b.input_bytes;
      relations.push_back(b.sql);
    } else {
      relations.push_back("SELECT * FROM (" + source.full_sql(con) + ") AS __dls_none LIMIT 0");
    }
  }
  out.sql = query_sql(con, relations);
  return out;
}

std::string QuerySource::fingerprint() {
  // Tables by root and version (without building a reader of a pipeline view, which would
  // compute it: the pipeline adds the fingerprints of the views the dataset reads).
  std::string text = "query";
  for (auto& input : inputs_) {
    text += "\n" + input.name + ":";
    std::string root;
    try {
      root = context_.resolve_table(input.name).string();
    } catch (const Error&) {
      text += "unresolved";
      continue;
    }
    if (!delta::DeltaTable::exists(root)) {
      text += "absent";
      continue;
    }
    DeltaLiveEntity reader = input.entity;
    reader.is_streaming = false;
    text += DeltaSource(reader, context_, "dlt").fingerprint();
  }
  return text;
}

std::string QuerySource::full_sql(sql::Connection& con) {
  std::vector<std::string> relations;
  for (auto& input : inputs_) relations.push_back(source_of(input).full_sql(con));
  return query_sql(con, relations);
}

std::string QuerySource::describe() const {
  std::string names;
  for (const auto& input : inputs_) {
    names += (names.empty() ? "" : ", ") + std::string(input.streaming ? "STREAM(" : "") +
             input.name + (input.streaming ? ")" : "");
  }
  return "query over " + (names.empty() ? std::string("no table") : names);
}

}  // namespace dls::pipeline::sources
