#include "platform/pg/pool.hpp"

namespace platform::pg {

Pool::Pool(std::string conninfo, int size, std::string session_setup)
    : conninfo_(std::move(conninfo)),
      size_(size),
      session_setup_(std::move(session_setup)),
      workers_(static_cast<std::size_t>(size)) {}

Pool::~Pool() { workers_.join(); }

Pool::Borrowed::~Borrowed() {
  if (conn_) pool_->Release(std::move(conn_));
}

DbResult<Pool::Borrowed> Pool::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!conn->StillConnected()) {
      auto reset = conn->Reset();
      if (reset && !session_setup_.empty()) reset = conn->ExecuteScript(session_setup_);
      if (!reset) {
        Release(std::move(conn));
        return std::unexpected(reset.error());
      }
    }
    return Borrowed(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto conn = Connection::Open(conninfo_);
  if (conn && !session_setup_.empty()) {
    if (auto set = (*conn)->ExecuteScript(session_setup_); !set) {
      conn = std::unexpected(set.error());
    }
  }
  if (!conn) {
    std::lock_guard relock(mutex_);
    --open_;
    available_.notify_one();
    return std::unexpected(conn.error());
  }
  return Borrowed(this, std::move(*conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(conn));
  available_.notify_one();
}

}  // namespace platform::pg
