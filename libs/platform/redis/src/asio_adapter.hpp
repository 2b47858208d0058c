#pragma once
// The missing hiredis <-> Boost.Asio adapter: hiredis's event hooks wait on its socket with the
// reactor of an io_context.

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>

namespace platform::redis::detail {

// Installs the ev hooks of `context` so that its reads and writes run on `io`'s thread(s).
// hiredis then calls cleanup when it frees the context. False when the hooks are taken or the
// reactor refuses the descriptor; the caller still owns (and must free) the context.
bool AttachAsio(redisAsyncContext* context, boost::asio::io_context& io);

}  // namespace platform::redis::detail
