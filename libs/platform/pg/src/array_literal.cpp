#include "platform/pg/array_literal.hpp"

namespace platform::pg {

namespace {

void AppendQuoted(std::string& out, const std::string& value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

template <typename Values, typename Size, typename Append>
std::string Build(const Values& values, Size size_of, Append append) {
  std::size_t size = 2;
  for (const auto& v : values) size += size_of(v) + 3;
  std::string out;
  out.reserve(size + size / 8);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append(out, values[i]);
  }
  out += '}';
  return out;
}

}  // namespace

std::string ArrayLiteral(const std::vector<std::string>& values) {
  return Build(
      values, [](const std::string& v) { return v.size(); },
      [](std::string& out, const std::string& v) { AppendQuoted(out, v); });
}

std::string NullableArrayLiteral(const std::vector<std::optional<std::string>>& values) {
  return Build(
      values, [](const std::optional<std::string>& v) { return v ? v->size() : 4; },
      [](std::string& out, const std::optional<std::string>& v) {
        if (v) {
          AppendQuoted(out, *v);
        } else {
          out += "NULL";
        }
      });
}

}  // namespace platform::pg
