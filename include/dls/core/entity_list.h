// EntityList: an ordered collection of entities, as returned by the store's find_* calls (the
// seed's DeltaLiveEntityList).
//
// A value type over std::vector<DeltaLiveEntity>: copyable, iterable, indexable. filter() returns a
// new list of the matching entities in the same order. Renderings:
//   to_json()  — a JSON array of entity_codec.h's to_json objects;
//   to_yaml()  — the YAML file format (yaml_document.h) with generated columns left out;
//   to_table() — an aligned text table for people (entity_id, group, source_format, source,
//                destination, type, streaming, enabled, latest, created_ts), one row per entity.
// Not synchronised: share between threads only for reading.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/core/entity.h"
#include "dls/core/predicate.h"

namespace dls {

class EntityList {
 public:
  using value_type = DeltaLiveEntity;
  using const_iterator = std::vector<DeltaLiveEntity>::const_iterator;
  using iterator = std::vector<DeltaLiveEntity>::iterator;

  EntityList() = default;
  explicit EntityList(std::vector<DeltaLiveEntity> entities) : entities_(std::move(entities)) {}
  EntityList(std::initializer_list<DeltaLiveEntity> entities) : entities_(entities) {}

  /// The entities matching `predicate`, in order.
  EntityList filter(const Predicate& predicate) const;

  /// The first entity, or std::nullopt when the list is empty.
  std::optional<DeltaLiveEntity> first() const;

  std::size_t size() const { return entities_.size(); }
  bool empty() const { return entities_.empty(); }
  const DeltaLiveEntity& operator[](std::size_t i) const { return entities_[i]; }
  DeltaLiveEntity& operator[](std::size_t i) { return entities_[i]; }
  const_iterator begin() const { return entities_.begin(); }
  const_iterator end() const { return entities_.end(); }
  iterator begin() { return entities_.begin(); }
  iterator end() { return entities_.end(); }
  void push_back(DeltaLiveEntity entity) { entities_.push_back(std::move(entity)); }
  const std::vector<DeltaLiveEntity>& entities() const { return entities_; }

  nlohmann::json to_json() const;
  std::string to_yaml() const;
  std::string to_table() const;

  friend bool operator==(const EntityList&, const EntityList&) = default;

 private:
  std::vector<DeltaLiveEntity> entities_;
};

}  // namespace dls
