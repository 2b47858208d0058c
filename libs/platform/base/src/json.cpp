#include "platform/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>
#include <vector>

#include "platform/utf8.hpp"

namespace platform {

namespace {

std::string_view TextOf(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Whether every string and member name in `root` is UTF-8. rapidjson validates the body's bytes
// but not what a \u escape decodes to: a lone surrogate (\udc00) becomes bytes that are not
// UTF-8, which rules that count characters refuse but names and echoes would pass on. Iterative,
// as a 64 KiB body nests deep.
bool AllTextIsUtf8(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> pending{&root};
  while (!pending.empty()) {
    const rapidjson::Value* v = pending.back();
    pending.pop_back();
    if (v->IsString() && !text::IsValidUtf8(TextOf(*v))) return false;
    if (v->IsArray()) {
      for (const auto& item : v->GetArray()) pending.push_back(&item);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject()) {
        if (!text::IsValidUtf8(TextOf(m.name))) return false;
        pending.push_back(&m.value);
      }
    }
  }
  return true;
}

}  // namespace

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;
void JsonWriter::StartObject() { impl_->writer.StartObject(); }
void JsonWriter::EndObject() { impl_->writer.EndObject(); }
void JsonWriter::StartArray() { impl_->writer.StartArray(); }
void JsonWriter::EndArray() { impl_->writer.EndArray(); }
void JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void JsonWriter::String(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void JsonWriter::Int(std::int64_t value) { impl_->writer.Int64(value); }
void JsonWriter::Double(double value) { impl_->writer.Double(value); }
void JsonWriter::Bool(bool value) { impl_->writer.Bool(value); }
void JsonWriter::Null() { impl_->writer.Null(); }
void JsonWriter::Raw(std::string_view json) {
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}
void JsonWriter::Field(std::string_view key, const std::optional<std::string>& value) {
  Key(key);
  value ? String(*value) : Null();
}
void JsonWriter::Field(std::string_view key, const std::optional<std::int64_t>& value) {
  Key(key);
  value ? Int(*value) : Null();
}
std::string JsonWriter::Take() {
  return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize());
}

std::string JsonQuote(std::string_view value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

struct StrictObject::Impl {
  rapidjson::Document doc;
  std::set<std::string, std::less<>> seen;
  std::vector<FieldError> errors;

  const rapidjson::Value* Find(std::string_view field) {
    seen.emplace(field);
    auto it = doc.FindMember(
        rapidjson::Value(field.data(), static_cast<rapidjson::SizeType>(field.size())));
    return it == doc.MemberEnd() ? nullptr : &it->value;
  }
};

StrictObject::StrictObject() : impl_(std::make_unique<Impl>()) {}
StrictObject::StrictObject(StrictObject&&) noexcept = default;
StrictObject& StrictObject::operator=(StrictObject&&) noexcept = default;
StrictObject::~StrictObject() = default;

Result<StrictObject> StrictObject::Parse(std::string_view body) {
  StrictObject object;
  // kParseFullPrecisionFlag keeps numbers exact; trailing garbage is an error by default.
  object.impl_->doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (object.impl_->doc.HasParseError()) {
    return std::unexpected(
        Error::Validation(std::string("body is not valid JSON: ") +
                          rapidjson::GetParseError_En(object.impl_->doc.GetParseError()) +
                          " at offset " + std::to_string(object.impl_->doc.GetErrorOffset())));
  }
  if (!object.impl_->doc.IsObject()) {
    return std::unexpected(Error::Validation("body must be a JSON object"));
  }
  if (!AllTextIsUtf8(object.impl_->doc)) {
    return std::unexpected(
        Error::Validation("body is not valid JSON: a \\u escape is not a Unicode character"));
  }
  // Duplicate keys make "which one counts" ambiguous between parsers: refuse them.
  std::set<std::string_view> names;
  for (const auto& m : object.impl_->doc.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (!names.insert(name).second) {
      return std::unexpected(
          Error::Validation("duplicate field", {{std::string(name), "appears more than once"}}));
    }
  }
  return object;
}

std::optional<std::string> StrictObject::RequiredString(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr || v->IsNull()) {
    AddError(std::string(field), "is required");
    return std::nullopt;
  }
  if (!v->IsString()) {
    AddError(std::string(field), "must be a string");
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<std::string> StrictObject::OptionalString(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  if (!v->IsString()) {
    AddError(std::string(field), "must be a string");
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

Patch<std::string> StrictObject::PatchString(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr) return {};
  if (v->IsNull()) return {true, std::nullopt};
  if (!v->IsString()) {
    AddError(std::string(field), "must be a string");
    return {};
  }
  return {true, std::string(v->GetString(), v->GetStringLength())};
}

Patch<std::int64_t> StrictObject::PatchInt(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr) return {};
  if (v->IsNull()) return {true, std::nullopt};
  if (!v->IsInt64()) {
    AddError(std::string(field), "must be an integer");
    return {};
  }
  return {true, v->GetInt64()};
}

std::optional<std::int64_t> StrictObject::OptionalInt(std::string_view field) {
  auto patch = PatchInt(field);
  return patch.value;
}

std::optional<bool> StrictObject::OptionalBool(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  if (!v->IsBool()) {
    AddError(std::string(field), "must be a boolean");
    return std::nullopt;
  }
  return v->GetBool();
}

Patch<std::vector<std::string>> StrictObject::PatchStringArray(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr) return {};
  if (v->IsNull()) return {true, std::nullopt};
  if (!v->IsArray()) {
    AddError(std::string(field), "must be an array of strings");
    return {};
  }
  std::vector<std::string> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) {
      AddError(std::string(field), "must be an array of strings");
      return {};
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return {true, std::move(out)};
}

std::optional<std::vector<std::string>> StrictObject::OptionalStringArray(std::string_view field) {
  return PatchStringArray(field).value;
}

std::optional<std::vector<StrictObject>> StrictObject::OptionalObjectArray(std::string_view field) {
  const auto* v = impl_->Find(field);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  if (!v->IsArray()) {
    AddError(std::string(field), "must be an array of objects");
    return std::nullopt;
  }
  std::vector<StrictObject> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsObject()) {
      AddError(std::string(field), "must be an array of objects");
      return std::nullopt;
    }
    StrictObject element;
    element.impl_->doc.CopyFrom(item, element.impl_->doc.GetAllocator());
    out.push_back(std::move(element));
  }
  return out;
}

void StrictObject::MarkSeen(std::string_view field) { impl_->seen.emplace(field); }

bool StrictObject::Has(std::string_view field) const {
  return impl_->doc.HasMember(
      rapidjson::Value(field.data(), static_cast<rapidjson::SizeType>(field.size())));
}

void StrictObject::AddError(std::string field, std::string message) {
  impl_->errors.push_back({std::move(field), std::move(message)});
}

bool StrictObject::HasErrors() const { return !impl_->errors.empty(); }

Result<void> StrictObject::Finish() {
  for (const auto& m : impl_->doc.GetObject()) {
    std::string name(m.name.GetString(), m.name.GetStringLength());
    if (!impl_->seen.contains(name)) AddError(name, "is not a known field");
  }
  if (impl_->errors.empty()) return {};
  return std::unexpected(Error::Validation("request body has invalid fields", impl_->errors));
}

}  // namespace platform
