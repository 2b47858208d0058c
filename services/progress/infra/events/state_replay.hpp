#pragma once
// FoldStateStream: the first half of a rebuild. The compacted state stream (TODO_STATE: the
// newest event of every task and user, deletions as tombstones) is folded into the read model
// as states only; replaying the retained history then adds the activity of its window, and
// versions make the overlap harmless. A rebuild's time grows with live entities, not history.

#include <cstdint>
#include <string>

#include "platform/bus/jetstream.hpp"
#include "platform/error.hpp"

namespace progress::infra {

// StateReplay: how many state messages were folded, and how many were malformed (skipped,
// logged: history replays those entities' later events anyway).
struct StateReplay {
  std::uint64_t folded = 0;
  std::uint64_t malformed = 0;
};

// Reads `stream` (subjects matching `filter`) to its end and folds it, 1000 messages a commit.
platform::Result<StateReplay> FoldStateStream(const std::string& pg_conninfo,
                                              platform::bus::JetStream& js,
                                              const std::string& stream, const std::string& filter);

}  // namespace progress::infra
