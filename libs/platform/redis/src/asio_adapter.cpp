#include "asio_adapter.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <memory>

namespace platform::redis::detail {
namespace {

// Watcher: the hook state of one context. hiredis owns the descriptor (redisFree closes it), so
// the stream_descriptor only borrows it and is released, never closed.
class Watcher {
 public:
  Watcher(redisAsyncContext* context, boost::asio::io_context& io)
      : context_(context), socket_(io), alive_(std::make_shared<bool>(true)) {}

  bool Assign() {
    boost::system::error_code ec;
    socket_.assign(context_->c.fd, ec);
    return !ec;
  }

  static void AddRead(void* self) { static_cast<Watcher*>(self)->Want(kRead, true); }
  static void DelRead(void* self) { static_cast<Watcher*>(self)->Want(kRead, false); }
  static void AddWrite(void* self) { static_cast<Watcher*>(self)->Want(kWrite, true); }
  static void DelWrite(void* self) { static_cast<Watcher*>(self)->Want(kWrite, false); }

  // hiredis is freeing the context (and will close the fd right after): waits still queued in
  // the reactor complete later with operation_aborted and must find `alive` false instead of
  // this object.
  static void Cleanup(void* raw) {
    auto* self = static_cast<Watcher*>(raw);
    *self->alive_ = false;
    self->context_->ev.data = nullptr;
    if (self->socket_.is_open()) {
      // release() deregisters the fd from epoll before hiredis closes it, so a new connection
      // that reuses the number starts clean.
      self->socket_.release();
    }
    delete self;
  }

 private:
  enum Direction { kRead = 0, kWrite = 1 };

  void Want(Direction d, bool want) {
    wanted_[d] = want;
    // An unwanted wait is left to complete and be ignored: cancelling it would leave `armed_`
    // set until its aborted handler ran, and a quick add after the del would then be lost.
    if (want) Arm(d);
  }

  void Arm(Direction d) {
    if (armed_[d]) return;
    armed_[d] = true;
    auto wait = d == kRead ? boost::asio::posix::stream_descriptor::wait_read
                           : boost::asio::posix::stream_descriptor::wait_write;
    // Boost 1.74's epoll reactor re-arms the descriptor (EPOLL_CTL_MOD) when a wait starts on an
    // empty queue, so a wait completes at once if data is already buffered: no lost edges after
    // hiredis read only part of what arrived.
    socket_.async_wait(wait, [this, d, alive = alive_](const boost::system::error_code& ec) {
      if (!*alive) return;
      armed_[d] = false;
      if (ec == boost::asio::error::operation_aborted || !wanted_[d]) return;
      if (d == kRead) {
        redisAsyncHandleRead(context_);
      } else {
        redisAsyncHandleWrite(context_);
      }
      // The handler may have freed the context and this watcher (disconnect or error).
      if (!*alive) return;
      // On a reactor error hiredis has seen the socket already; waiting again would spin, and
      // the caller's deadline takes the connection down instead.
      if (!ec && wanted_[d]) Arm(d);
    });
  }

  redisAsyncContext* context_;
  boost::asio::posix::stream_descriptor socket_;
  std::shared_ptr<bool> alive_;
  std::array<bool, 2> wanted_{};
  std::array<bool, 2> armed_{};
};

}  // namespace

bool AttachAsio(redisAsyncContext* context, boost::asio::io_context& io) {
  if (context->ev.data != nullptr) return false;
  auto watcher = std::make_unique<Watcher>(context, io);
  if (!watcher->Assign()) return false;
  context->ev.addRead = &Watcher::AddRead;
  context->ev.delRead = &Watcher::DelRead;
  context->ev.addWrite = &Watcher::AddWrite;
  context->ev.delWrite = &Watcher::DelWrite;
  context->ev.cleanup = &Watcher::Cleanup;
  context->ev.data = watcher.release();
  return true;
}

}  // namespace platform::redis::detail
