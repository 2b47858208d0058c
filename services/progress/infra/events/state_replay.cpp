#include "infra/events/state_replay.hpp"

#include <vector>

#include "infra/events/event_applier.hpp"
#include "platform/bus/stream_reader.hpp"
#include "platform/log.hpp"
#include "platform/pg/connection.hpp"
#include "platform/try.hpp"

namespace progress::infra {

namespace pg = platform::pg;

namespace {

constexpr std::size_t kCommitEvery = 1000;

}  // namespace

platform::Result<StateReplay> FoldStateStream(const std::string& pg_conninfo,
                                              platform::bus::JetStream& js,
                                              const std::string& stream,
                                              const std::string& filter) {
  TODO_TRY(auto conn, pg::Connection::Open(pg_conninfo));
  EventApplier applier;
  StateReplay replay;
  std::vector<ConsumedEvent> events;
  // States carry no activity: the sequences are not read.
  std::vector<std::uint64_t> seqs;
  auto flush = [&]() -> platform::Result<void> {
    if (events.empty()) return {};
    TODO_TRY_VOID(conn->Transaction(
        [&](pg::Connection& tx) { return applier.FoldBatch(tx, events, seqs, false); }));
    replay.folded += events.size();
    events.clear();
    seqs.clear();
    return {};
  };
  auto each = [&](const platform::bus::Message& message) -> platform::Result<void> {
    auto event = ReadEvent(message.Data());
    if (!event) {
      ++replay.malformed;
      platform::log::Warn("state message skipped",
                          {{"subject", message.Subject()}, {"error", event.error().Message()}});
      return {};
    }
    events.push_back(std::move(*event));
    seqs.push_back(message.StreamSequence());
    if (events.size() >= kCommitEvery) return flush();
    return {};
  };
  TODO_TRY_VOID(platform::bus::ReadStreamToEnd(js, stream, filter, each));
  TODO_TRY_VOID(flush());
  return replay;
}

}  // namespace progress::infra
