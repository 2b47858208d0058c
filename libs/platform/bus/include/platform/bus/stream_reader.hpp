#pragma once
// ReadStreamToEnd: every message a stream holds, once, in order, for rebuilding a read model
// (the state stream first, then the history stream from the returned sequence on).

#include <cstdint>
#include <functional>
#include <string>

#include "platform/bus/consumer.hpp"
#include "platform/bus/jetstream.hpp"
#include "platform/error.hpp"

namespace platform::bus {

// Reads the messages of `stream` matching `filter` (e.g. "state.>") that it holds when called,
// in sequence order, through an ordered ephemeral consumer (flow controlled, nothing to ack),
// calling `each` for every one; an error from `each` stops the read and is returned. Returns
// the stream sequence of the last message read, or 0 at once when none matches. Messages
// stored while it reads may be read too; the last one read is where a follow-up starts.
Result<std::uint64_t> ReadStreamToEnd(JetStream& js, const std::string& stream,
                                      const std::string& filter,
                                      const std::function<Result<void>(const Message&)>& each);

}  // namespace platform::bus
