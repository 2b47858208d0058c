// Fuzzes page-cursor decoding: the tasks service's CursorCodec, the platform's CursorSigner
// and the progress activity cursor, with what a client sends and with positions the services
// encode. Invariants: a decoded cursor encodes back to one that decodes to itself; a position
// signed for one scope decodes to itself there and nowhere else; an activity cursor the
// service made continues at the position it was made for.

#include <charconv>

#include "fuzz_input.hpp"
#include "infra/rest/cursor_codec.hpp"
#include "infra/rest/progress_query.hpp"
#include "platform/auth/cursor_signer.hpp"
#include "platform/uuid.hpp"

namespace {

// A secret for fuzzing only, as long as the services' (32 bytes and more).
const std::string kSecret = "fuzz-cursor-secret-0123456789abcdef";
// Longer tokens are refused unread (CursorSigner's bound).
constexpr std::size_t kMaxToken = 512;

const tasks::infra::CursorCodec& Codec() {
  static const tasks::infra::CursorCodec kCodec(kSecret);
  return kCodec;
}

const platform::auth::CursorSigner& Signer() {
  static const platform::auth::CursorSigner kSigner(kSecret);
  return kSigner;
}

constexpr tasks::app::SortKey kSorts[] = {
    tasks::app::SortKey::kCreatedAt, tasks::app::SortKey::kUpdatedAt, tasks::app::SortKey::kDueAt,
    tasks::app::SortKey::kExpiresAt, tasks::app::SortKey::kPriority};

// A token from a client, for the scope given (tasks cursors), read for each sort order.
void FuzzTaskToken(fuzz::FuzzInput& input) {
  auto token = input.Line();
  auto scope = input.Rest();
  for (auto sort : kSorts) {
    auto cursor = Codec().Decode(token, scope, sort);
    if (!cursor) continue;
    TODO_FUZZ_CHECK(platform::IsUuid(cursor->id));
    auto again = Codec().Decode(Codec().Encode(*cursor, scope), scope, sort);
    TODO_FUZZ_CHECK(again && again->key == cursor->key && again->id == cursor->id);
  }
}

// Any position and scope: signed, it decodes to itself for that scope only.
void FuzzSignedPosition(fuzz::FuzzInput& input) {
  auto position = input.Line();
  auto scope = input.Rest();
  auto token = Signer().Encode(position, scope);
  auto decoded = Signer().Decode(token, scope);
  if (token.size() > kMaxToken) {
    TODO_FUZZ_CHECK(!decoded);
    return;
  }
  TODO_FUZZ_CHECK(decoded && *decoded == position);
  TODO_FUZZ_CHECK(!Signer().Decode(token, std::string(scope) + "&"));
}

// A tasks cursor the service would make (sort key and task id), round-tripped.
void FuzzTaskPosition(fuzz::FuzzInput& input) {
  tasks::app::Cursor cursor{std::string(input.Line()), std::string(input.Line())};
  auto scope = input.Rest();
  auto token = Codec().Encode(cursor, scope);
  // The service's ids are UUIDs, and its sort keys short.
  if (!platform::IsUuid(cursor.id) || token.size() > kMaxToken) return;
  for (auto sort : kSorts) {
    auto decoded = Codec().Decode(token, scope, sort);
    if (decoded) TODO_FUZZ_CHECK(decoded->key == cursor.key && decoded->id == cursor.id);
  }
  // A time in ms is a key of every sort but priority's.
  if (cursor.key == "1767225600000") {
    TODO_FUZZ_CHECK(Codec().Decode(token, scope, tasks::app::SortKey::kCreatedAt).has_value());
  }
}

// The activity feed: a client's query, and the cursor the service hands out for a position.
void FuzzActivity(fuzz::FuzzInput& input) {
  auto user = input.Line();
  std::string scope = platform::auth::CursorScopeText("activity", user, {});
  platform::http::Request request;
  request.query = input.Line();
  auto query = progress::infra::ParseActivityQuery(request, Signer(), scope);
  if (query) {
    TODO_FUZZ_CHECK(query->limit >= 1 && query->limit <= 100);
    TODO_FUZZ_CHECK(!query->before || *query->before > 0);
  }

  auto text = input.Rest();
  std::int64_t position = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
  if (ec != std::errc() || end != text.data() + text.size() || position <= 0) return;
  platform::http::Request next;
  next.query = "cursor=" + Signer().Encode(std::to_string(position), scope);
  auto page = progress::infra::ParseActivityQuery(next, Signer(), scope);
  TODO_FUZZ_CHECK(page && page->before == position);
  // Another user's feed refuses it.
  TODO_FUZZ_CHECK(!progress::infra::ParseActivityQuery(next, Signer(), scope + "x"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  switch (input.Mode(4)) {
    case 0:
      FuzzTaskToken(input);
      break;
    case 1:
      FuzzSignedPosition(input);
      break;
    case 2:
      FuzzTaskPosition(input);
      break;
    default:
      FuzzActivity(input);
      break;
  }
  return 0;
}
