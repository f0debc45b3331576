#include "dls/core/predicate.h"

namespace dls {

struct Predicate::Node {
  Kind kind = Kind::kAll;
  std::vector<std::string> strings;
  bool flag = false;
  std::vector<Timestamp> timestamps;
  std::vector<Predicate> children;
  std::function<bool(const DeltaLiveEntity&)> fn;
};

Predicate make_predicate(std::shared_ptr<const Predicate::Node> node) {
  return Predicate(std::move(node));
}

namespace {

using Kind = Predicate::Kind;

Predicate leaf(Kind kind, std::vector<std::string> strings = {}, bool flag = false,
               std::vector<Timestamp> timestamps = {}) {
  auto node = std::make_shared<Predicate::Node>();
  node->kind = kind;
  node->strings = std::move(strings);
  node->flag = flag;
  node->timestamps = std::move(timestamps);
  return make_predicate(std::move(node));
}

Predicate combine(Kind kind, std::vector<Predicate> children) {
  auto node = std::make_shared<Predicate::Node>();
  node->kind = kind;
  node->children = std::move(children);
  return make_predicate(std::move(node));
}

const char* function_name(Kind kind) {
  switch (kind) {
    case Kind::kAll:
      return "by_all";
    case Kind::kId:
      return "by_id";
    case Kind::kDestinationType:
      return "by_destination_type";
    case Kind::kEntityId:
      return "by_entity_id";
    case Kind::kGroup:
      return "by_group";
    case Kind::kHasTag:
      return "by_has_tag";
    case Kind::kHasTagValue:
      return "by_has_tag_value";
    case Kind::kSource:
      return "by_source";
    case Kind::kDestination:
      return "by_destination";
    case Kind::kIsEnabled:
      return "by_is_enabled";
    case Kind::kIsLatest:
      return "by_is_latest";
    case Kind::kCreatedTsBetween:
      return "by_created_ts_between";
    case Kind::kCreatedBy:
      return "by_created_by";
    case Kind::kModifiedBy:
      return "by_modified_by";
    case Kind::kReferenceTs:
      return "by_reference_ts";
    case Kind::kIsStreaming:
      return "by_is_streaming";
    case Kind::kCustom:
      return "by_predicate";
    default:
      return "";
  }
}

int precedence(Kind kind) {
  switch (kind) {
    case Kind::kOr:
      return 1;
    case Kind::kAnd:
      return 2;
    case Kind::kNot:
      return 3;
    default:
      return 4;
  }
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string wrap(const Predicate& p, bool parens) {
  return parens ? "(" + p.to_string() + ")" : p.to_string();
}

}  // namespace

Predicate::Predicate() : Predicate(by_all()) {}

Predicate::Kind Predicate::kind() const {
  return node_->kind;
}
const std::vector<std::string>& Predicate::strings() const {
  return node_->strings;
}
bool Predicate::flag() const {
  return node_->flag;
}
const std::vector<Timestamp>& Predicate::timestamps() const {
  return node_->timestamps;
}
const std::vector<Predicate>& Predicate::children() const {
  return node_->children;
}

bool Predicate::matches(const DeltaLiveEntity& e) const {
  const Node& n = *node_;
  auto arg = [&](std::size_t i) -> const std::string& { return n.strings[i]; };
  switch (n.kind) {
    case Kind::kAll:
      return true;
    case Kind::kId:
      return e.id && *e.id == arg(0);
    case Kind::kDestinationType:
      return e.destination_type == arg(0);
    case Kind::kEntityId:
      return e.entity_id == arg(0);
    case Kind::kGroup:
      return e.group == arg(0);
    case Kind::kHasTag:
      return e.tags.count(arg(0)) > 0;
    case Kind::kHasTagValue: {
      auto it = e.tags.find(arg(0));
      return it != e.tags.end() && it->second == arg(1);
    }
    case Kind::kSource:
      return e.source == arg(0);
    case Kind::kDestination:
      return e.destination == arg(0);
    case Kind::kIsEnabled:
      return e.is_enabled == n.flag;
    case Kind::kIsLatest:
      return e.is_latest == n.flag;
    case Kind::kCreatedTsBetween:
      return e.created_ts && n.timestamps[0] <= *e.created_ts && *e.created_ts <= n.timestamps[1];
    case Kind::kCreatedBy:
      return e.created_by && *e.created_by == arg(0);
    case Kind::kModifiedBy:
      return e.modified_by && *e.modified_by == arg(0);
    case Kind::kReferenceTs: {
      const Timestamp ts = n.timestamps[0];
      return e.created_ts && *e.created_ts <= ts && (!e.expired_ts || ts < *e.expired_ts);
    }
    case Kind::kIsStreaming:
      return e.is_streaming == n.flag;
    case Kind::kCustom:
      return n.fn(e);
    case Kind::kAnd:
      return n.children[0].matches(e) && n.children[1].matches(e);
    case Kind::kOr:
      return n.children[0].matches(e) || n.children[1].matches(e);
    case Kind::kNot:
      return !n.children[0].matches(e);
  }
  return false;
}

std::string Predicate::to_string() const {
  const Node& n = *node_;
  const int self = precedence(n.kind);
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      return wrap(n.children[0], precedence(n.children[0].kind()) < self) +
             (n.kind == Kind::kAnd ? " & " : " | ") +
             wrap(n.children[1], precedence(n.children[1].kind()) <= self);
    case Kind::kNot:
      return "~" + wrap(n.children[0], precedence(n.children[0].kind()) < self);
    case Kind::kIsEnabled:
    case Kind::kIsLatest:
    case Kind::kIsStreaming:
      return std::string(function_name(n.kind)) + (n.flag ? "()" : "(false)");
    case Kind::kCreatedTsBetween:
    case Kind::kReferenceTs: {
      std::string out = std::string(function_name(n.kind)) + "(";
      for (std::size_t i = 0; i < n.timestamps.size(); ++i) {
        out += (i ? ", " : "") + quote(format_timestamp(n.timestamps[i]));
      }
      return out + ")";
    }
    default: {
      std::string out = std::string(function_name(n.kind)) + "(";
      for (std::size_t i = 0; i < n.strings.size(); ++i)
        out += (i ? ", " : "") + quote(n.strings[i]);
      return out + ")";
    }
  }
}

bool operator==(const Predicate& a, const Predicate& b) {
  if (a.node_ == b.node_) return true;
  const auto& x = *a.node_;
  const auto& y = *b.node_;
  if (x.kind != y.kind || x.kind == Predicate::Kind::kCustom) return false;
  return x.strings == y.strings && x.flag == y.flag && x.timestamps == y.timestamps &&
         x.children == y.children;
}

Predicate operator&(const Predicate& a, const Predicate& b) {
  return combine(Kind::kAnd, {a, b});
}
Predicate operator|(const Predicate& a, const Predicate& b) {
  return combine(Kind::kOr, {a, b});
}
Predicate operator~(const Predicate& a) {
  return combine(Kind::kNot, {a});
}

Predicate by_all() {
  return leaf(Kind::kAll);
}
Predicate by_id(std::string id) {
  return leaf(Kind::kId, {std::move(id)});
}
Predicate by_destination_type(std::string t) {
  return leaf(Kind::kDestinationType, {std::move(t)});
}
Predicate by_entity_id(std::string id) {
  return leaf(Kind::kEntityId, {std::move(id)});
}
Predicate by_group(std::string group) {
  return leaf(Kind::kGroup, {std::move(group)});
}
Predicate by_has_tag(std::string key) {
  return leaf(Kind::kHasTag, {std::move(key)});
}
Predicate by_has_tag_value(std::string key, std::string value) {
  return leaf(Kind::kHasTagValue, {std::move(key), std::move(value)});
}
Predicate by_source(std::string source) {
  return leaf(Kind::kSource, {std::move(source)});
}
Predicate by_destination(std::string d) {
  return leaf(Kind::kDestination, {std::move(d)});
}
Predicate by_is_enabled(bool enabled) {
  return leaf(Kind::kIsEnabled, {}, enabled);
}
Predicate by_is_latest(bool latest) {
  return leaf(Kind::kIsLatest, {}, latest);
}
Predicate by_created_ts_between(Timestamp from, Timestamp to) {
  return leaf(Kind::kCreatedTsBetween, {}, false, {from, to});
}
Predicate by_created_by(std::string user) {
  return leaf(Kind::kCreatedBy, {std::move(user)});
}
Predicate by_modified_by(std::string user) {
  return leaf(Kind::kModifiedBy, {std::move(user)});
}
Predicate by_reference_ts(Timestamp ts) {
  return leaf(Kind::kReferenceTs, {}, false, {ts});
}
Predicate by_is_streaming(bool streaming) {
  return leaf(Kind::kIsStreaming, {}, streaming);
}
Predicate by_predicate(std::function<bool(const DeltaLiveEntity&)> fn, std::string name) {
  auto node = std::make_shared<Predicate::Node>();
  node->kind = Kind::kCustom;
  node->strings = {std::move(name)};
  node->fn = std::move(fn);
  return make_predicate(std::move(node));
}

}  // namespace dls
