// Predicate: a filter over entities, built from the seed's by_* factories and combined with
// & (and), | (or) and ~ (not).
//
// A Predicate is an immutable value: it holds a shared_ptr to an immutable node tree, so copies are
// cheap and a Predicate may be used from several threads at once (provided a by_predicate function
// is itself thread-safe). matches() evaluates it on one entity. to_string() prints it in the text
// vocabulary the CLI's --where accepts (predicate_parser.h), with the fewest parentheses that keep
// its structure: parse_predicate(p.to_string()) == p for every predicate without by_predicate.
// operator== is structural: same operators, same filters, same arguments, same tree shape
// (a & b != b & a); two by_predicate nodes are equal only if they are the same node (copies of one
// Predicate). Precedence in text: ~ binds tighter than &, & tighter than |; & and | group left —
// the same as C++'s for these operators (g++ -Wparentheses asks for parentheses around a & b
// inside a | b & c; write a | (b & c)).
//
// Semantics (all comparisons exact and case-sensitive):
//   by_all()                         every entity
//   by_id(id)                        the version whose id is `id`
//   by_entity_id(id)                 versions of entity `id`
//   by_destination_type(t)           destination_type == t
//   by_group(g)                      group == g (by_group("") = entities without a group)
//   by_has_tag(k)                    tags has key k
//   by_has_tag_value(k, v)           tags[k] == v
//   by_source(s), by_destination(d)  source == s, destination == d
//   by_is_enabled(b = true)          is_enabled == b
//   by_is_latest(b = true)           is_latest == b
//   by_is_streaming(b = true)        is_streaming == b
//   by_created_ts_between(a, b)      a <= created_ts <= b (inclusive, as Spark's BETWEEN; false
//                                    when created_ts is null)
//   by_created_by(u), by_modified_by(u)  created_by == u, modified_by == u
//   by_reference_ts(ts)              the version valid at ts: created_ts <= ts and (expired_ts is
//                                    null or ts < expired_ts)
//   by_predicate(fn, name)           fn(entity); C++ only, printed as by_predicate('name')
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/core/timestamp.h"

namespace dls {

class Predicate {
 public:
  /// What a node is; the store may inspect the tree (kind(), strings(), ...) to push filters down.
  enum class Kind {
    kAll,
    kId,
    kDestinationType,
    kEntityId,
    kGroup,
    kHasTag,
    kHasTagValue,
    kSource,
    kDestination,
    kIsEnabled,
    kIsLatest,
    kCreatedTsBetween,
    kCreatedBy,
    kModifiedBy,
    kReferenceTs,
    kIsStreaming,
    kCustom,
    kAnd,
    kOr,
    kNot,
  };

  /// by_all().
  Predicate();

  bool matches(const DeltaLiveEntity& entity) const;
  bool operator()(const DeltaLiveEntity& entity) const { return matches(entity); }
  std::string to_string() const;

  Kind kind() const;
  /// String arguments of a leaf, in call order (by_has_tag_value: key, value; custom: name).
  const std::vector<std::string>& strings() const;
  /// Boolean argument of by_is_enabled / by_is_latest / by_is_streaming.
  bool flag() const;
  /// Timestamp arguments: by_created_ts_between (from, to), by_reference_ts (ts).
  const std::vector<Timestamp>& timestamps() const;
  /// Operands of kAnd / kOr (two) and kNot (one).
  const std::vector<Predicate>& children() const;

  friend Predicate operator&(const Predicate& a, const Predicate& b);
  friend Predicate operator|(const Predicate& a, const Predicate& b);
  friend Predicate operator~(const Predicate& a);
  friend bool operator==(const Predicate& a, const Predicate& b);

  struct Node;  // implementation detail

 private:
  explicit Predicate(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  friend Predicate make_predicate(std::shared_ptr<const Node> node);
  std::shared_ptr<const Node> node_;
};

Predicate by_all();
Predicate by_id(std::string id);
Predicate by_destination_type(std::string destination_type);
Predicate by_entity_id(std::string entity_id);
Predicate by_group(std::string group);
Predicate by_has_tag(std::string key);
Predicate by_has_tag_value(std::string key, std::string value);
Predicate by_source(std::string source);
Predicate by_destination(std::string destination);
Predicate by_is_enabled(bool enabled = true);
Predicate by_is_latest(bool latest = true);
Predicate by_created_ts_between(Timestamp from, Timestamp to);
Predicate by_created_by(std::string user);
Predicate by_modified_by(std::string user);
Predicate by_reference_ts(Timestamp ts);
Predicate by_is_streaming(bool streaming = true);
/// A C++ function as a filter; `name` is what to_string() prints. Not expressible as text.
Predicate by_predicate(std::function<bool(const DeltaLiveEntity&)> fn, std::string name = "custom");

}  // namespace dls
