#pragma once
// JSON in and out: a compact writer, and a strict object reader that refuses unknown fields.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"
#include "platform/patch.hpp"

namespace platform {

// JsonWriter: builds one JSON document into a string, without a DOM.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Inserts an already serialised JSON value as is.
  void Raw(std::string_view json);

  void Field(std::string_view key, std::string_view value) { Key(key), String(value); }
  void Field(std::string_view key, const std::string& value) { Key(key), String(value); }
  void Field(std::string_view key, const char* value) { Key(key), String(value); }
  void Field(std::string_view key, std::int64_t value) { Key(key), Int(value); }
  void Field(std::string_view key, int value) { Key(key), Int(value); }
  void Field(std::string_view key, bool value) { Key(key), Bool(value); }
  void Field(std::string_view key, const std::optional<std::string>& value);
  void Field(std::string_view key, const std::optional<std::int64_t>& value);

  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// StrictObject: reads a JSON object field by field, collecting every type error and every
// field the caller did not ask for, so a typo such as `titel` is a 400 naming it.
class StrictObject {
 public:
  // Fails with a validation error when the body is not JSON or not an object.
  static Result<StrictObject> Parse(std::string_view body);
  StrictObject(StrictObject&&) noexcept;
  StrictObject& operator=(StrictObject&&) noexcept;
  ~StrictObject();

  std::optional<std::string> RequiredString(std::string_view field);
  std::optional<std::string> OptionalString(std::string_view field);
  Patch<std::string> PatchString(std::string_view field);
  Patch<std::int64_t> PatchInt(std::string_view field);
  std::optional<std::int64_t> OptionalInt(std::string_view field);
  std::optional<bool> OptionalBool(std::string_view field);
  std::optional<std::vector<std::string>> OptionalStringArray(std::string_view field);
  Patch<std::vector<std::string>> PatchStringArray(std::string_view field);
  // Each element as its own StrictObject (the caller reads and finishes each one).
  std::optional<std::vector<StrictObject>> OptionalObjectArray(std::string_view field);
  // The names of the fields present (to refuse read-only ones by name, say).
  bool Has(std::string_view field) const;
  // Counts a field as handled without reading it (after reporting it some other way).
  void MarkSeen(std::string_view field);

  void AddError(std::string field, std::string message);
  bool HasErrors() const;
  // Adds unknown-field errors and returns the collected validation error, if any.
  Result<void> Finish();

 private:
  StrictObject();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Quotes and escapes a string as a JSON string literal.
std::string JsonQuote(std::string_view value);

}  // namespace platform
