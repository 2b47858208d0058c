// bench/scale's client side: many live streams (GET /v1/stream) or a fixed number of POSTs,
// on one epoll loop, so that arrival times are the network's and not a scheduler's.
//
//   probe stream HOST PORT TOKENS_FILE   commands on stdin, one answer line each on stdout:
//     open N C [S]  opens N more streams (tokens round-robin), at most C still connecting at
//                   once; answers "opened <connected> <failed>" (totals) when all N are settled
//                   or S seconds (120) have passed
//     stat          "stat <connected> <ended by the server> <failed>" (totals)
//     count         "events <n>" recorded so far
//     dump FILE     writes "<stream> <type> <task_id> <arrival_unix_ns>" per event, forgets
//                   them; "dumped <n>"
//     close         closes every stream; "closed"
//     quit          exits
//   probe post HOST PORT N C TOKEN BODY_FILE   N POSTs to /v1/tasks over C keep-alive
//                   connections; prints "posted <2xx> <other> <errors> <seconds>"
// Built by bench/scale with g++ -O2 -std=c++2b into build/bench/.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double MonotonicS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int ConnectTo(const sockaddr_in& addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

// A response's status line and headers, once "\r\n\r\n" has arrived.
struct Head {
  int status = 0;
  bool chunked = false;
  long content_length = -1;
  std::size_t size = 0;  // bytes up to and including the blank line
};

bool ParseHead(const std::string& buf, Head& head) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  head = Head{};
  head.size = end + 4;
  if (buf.size() > 12) head.status = std::atoi(buf.c_str() + 9);
  std::string lower = buf.substr(0, end);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  head.chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
  auto cl = lower.find("content-length:");
  if (cl != std::string::npos) head.content_length = std::atol(lower.c_str() + cl + 15);
  return true;
}

struct Event {
  int stream;
  std::string type;
  std::string task_id;
  std::int64_t at_ns;
};

// One live stream: the request, the response head, the chunked body, the SSE lines.
struct Stream {
  int index = 0;
  int fd = -1;
  std::string request;
  std::size_t sent = 0;
  std::string raw;  // bytes not decoded yet
  bool have_head = false;
  bool chunked = false;
  long chunk_left = -1;  // -1: a chunk-size line is next
  bool chunk_crlf = false;
  std::string line;
  std::string type;
  std::string task_id;
  bool connected = false;  // ": connected" arrived
  bool settled = false;    // connected or failed
};

class StreamProbe {
 public:
  StreamProbe(sockaddr_in addr, std::vector<std::string> tokens)
      : addr_(addr), tokens_(std::move(tokens)), epoll_(epoll_create1(EPOLL_CLOEXEC)) {}

  int Run() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // stdin
    epoll_ctl(epoll_, EPOLL_CTL_ADD, 0, &ev);
    std::vector<epoll_event> ready(1024);
    std::string input;
    for (;;) {
      int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), 100);
      for (int i = 0; i < n; ++i) {
        if (ready[i].data.ptr == nullptr) {
          char buf[4096];
          ssize_t got = read(0, buf, sizeof buf);
          if (got <= 0) return 0;
          input.append(buf, static_cast<std::size_t>(got));
          std::size_t nl;
          while ((nl = input.find('\n')) != std::string::npos) {
            std::string command = input.substr(0, nl);
            input.erase(0, nl + 1);
            if (!Command(command)) return 0;
          }
        } else {
          OnReady(static_cast<Stream*>(ready[i].data.ptr), ready[i].events);
        }
      }
      Progress();
    }
  }

 private:
  bool Command(const std::string& command) {
    std::istringstream in(command);
    std::string verb;
    in >> verb;
    if (verb == "open") {
      long n = 0, c = 0, deadline_s = 0;
      in >> n >> c >> deadline_s;
      to_open_ += n;
      max_connecting_ = c > 0 ? c : 200;
      open_deadline_ = MonotonicS() + (deadline_s > 0 ? deadline_s : 120);
      pending_open_ = true;
      Progress();
    } else if (verb == "count") {
      Reply("events " + std::to_string(events_.size()));
    } else if (verb == "stat") {
      Reply("stat " + std::to_string(connected_) + " " + std::to_string(ended_) + " " +
            std::to_string(failed_));
    } else if (verb == "dump") {
      std::string path;
      in >> path;
      std::ofstream out(path);
      for (const auto& e : events_) {
        out << e.stream << ' ' << e.type << ' ' << (e.task_id.empty() ? "-" : e.task_id) << ' '
            << e.at_ns << '\n';
      }
      Reply("dumped " + std::to_string(events_.size()));
      events_.clear();
    } else if (verb == "close") {
      for (auto& s : streams_) {
        if (s->fd >= 0) close(s->fd);
        s->fd = -1;
      }
      streams_.clear();
      connecting_ = 0;
      Reply("closed");
    } else if (verb == "quit") {
      return false;
    } else if (!verb.empty()) {
      Reply("error unknown command " + verb);
    }
    return true;
  }

  void Reply(const std::string& text) { std::cout << text << std::endl; }

  // Starts connections while under the cap; answers "opened" when the batch has settled.
  void Progress() {
    // Past the deadline the batch is over: what has not opened by then counts as failed.
    if (pending_open_ && MonotonicS() > open_deadline_) {
      failed_ += to_open_;
      to_open_ = 0;
    }
    while (to_open_ > 0 && connecting_ < max_connecting_) {
      --to_open_;
      auto s = std::make_unique<Stream>();
      s->index = next_index_++;
      const std::string& token = tokens_[static_cast<std::size_t>(s->index) % tokens_.size()];
      s->request =
          "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
          "Authorization: Bearer " +
          token + "\r\n\r\n";
      s->fd = ConnectTo(addr_);
      if (s->fd < 0) {
        ++failed_;
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
      ev.data.ptr = s.get();
      epoll_ctl(epoll_, EPOLL_CTL_ADD, s->fd, &ev);
      ++connecting_;
      streams_.push_back(std::move(s));
    }
    if (pending_open_ && to_open_ == 0 && (connecting_ == 0 || MonotonicS() > open_deadline_)) {
      pending_open_ = false;
      Reply("opened " + std::to_string(connected_) + " " + std::to_string(failed_ + connecting_));
    }
  }

  void Settle(Stream* s, bool ok) {
    if (s->settled) return;
    s->settled = true;
    --connecting_;
    if (ok) {
      s->connected = true;
      ++connected_;
    } else {
      ++failed_;
    }
  }

  void Drop(Stream* s) {
    if (s->fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, s->fd, nullptr);
      close(s->fd);
      s->fd = -1;
    }
    if (!s->settled) {
      Settle(s, false);
    } else if (s->connected) {
      --connected_;
      ++ended_;
    }
  }

  void OnReady(Stream* s, std::uint32_t events) {
    if (s->fd < 0) return;
    if ((events & EPOLLOUT) && s->sent < s->request.size()) {
      ssize_t put =
          send(s->fd, s->request.data() + s->sent, s->request.size() - s->sent, MSG_NOSIGNAL);
      if (put < 0 && errno != EAGAIN) return Drop(s);
      if (put > 0) s->sent += static_cast<std::size_t>(put);
      if (s->sent == s->request.size()) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = s;
        epoll_ctl(epoll_, EPOLL_CTL_MOD, s->fd, &ev);
      }
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      char buf[65536];
      for (;;) {
        ssize_t got = recv(s->fd, buf, sizeof buf, 0);
        if (got > 0) {
          std::int64_t at = NowNs();
          s->raw.append(buf, static_cast<std::size_t>(got));
          if (!Decode(s, at)) return Drop(s);
          continue;
        }
        if (got == 0 || errno != EAGAIN) return Drop(s);
        break;
      }
    }
  }

  // Turns raw bytes into SSE text (through the chunked coding when the response uses it).
  bool Decode(Stream* s, std::int64_t at) {
    if (!s->have_head) {
      Head head;
      if (!ParseHead(s->raw, head)) return true;
      if (head.status != 200) return false;
      s->have_head = true;
      s->chunked = head.chunked;
      s->raw.erase(0, head.size);
    }
    if (!s->chunked) {
      Feed(s, s->raw, at);
      s->raw.clear();
      return true;
    }
    std::size_t pos = 0;
    for (;;) {
      if (s->chunk_crlf) {
        if (s->raw.size() - pos < 2) break;
        pos += 2;
        s->chunk_crlf = false;
      }
      if (s->chunk_left < 0) {
        auto nl = s->raw.find("\r\n", pos);
        if (nl == std::string::npos) break;
        s->chunk_left = std::strtol(s->raw.c_str() + pos, nullptr, 16);
        pos = nl + 2;
        if (s->chunk_left == 0) return false;  // the last chunk: the stream ended
      }
      std::size_t take =
          std::min<std::size_t>(static_cast<std::size_t>(s->chunk_left), s->raw.size() - pos);
      if (take == 0) break;
      Feed(s, std::string_view(s->raw).substr(pos, take), at);
      pos += take;
      s->chunk_left -= static_cast<long>(take);
      if (s->chunk_left == 0) {
        s->chunk_left = -1;
        s->chunk_crlf = true;
      }
    }
    s->raw.erase(0, pos);
    return true;
  }

  void Feed(Stream* s, std::string_view text, std::int64_t at) {
    for (char c : text) {
      if (c != '\n') {
        s->line.push_back(c);
        continue;
      }
      const std::string& l = s->line;
      if (l.empty()) {
        if (!s->type.empty()) events_.push_back({s->index, s->type, s->task_id, at});
        s->type.clear();
        s->task_id.clear();
      } else if (l.rfind(": connected", 0) == 0) {
        Settle(s, true);
      } else if (l.rfind("event: ", 0) == 0) {
        s->type = l.substr(7);
      } else if (l.rfind("data: ", 0) == 0) {
        auto key = l.find("\"task_id\":\"");
        if (key != std::string::npos) s->task_id = l.substr(key + 11, 36);
      }
      s->line.clear();
    }
  }

  sockaddr_in addr_;
  std::vector<std::string> tokens_;
  int epoll_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::vector<Event> events_;
  long to_open_ = 0, max_connecting_ = 200, connecting_ = 0, connected_ = 0, failed_ = 0,
       ended_ = 0;
  int next_index_ = 0;
  bool pending_open_ = false;
  double open_deadline_ = 0;
};

// N POSTs over C keep-alive connections, one request in flight on each.
int RunPosts(const sockaddr_in& addr, long total, long conns, const std::string& token,
             const std::string& body) {
  std::string request =
      "POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nAuthorization: Bearer " +
      token + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  struct Conn {
    int fd = -1;
    std::size_t sent = 0;
    std::string in;
    bool busy = false;
  };
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> pool(static_cast<std::size_t>(conns));
  long started = 0, ok = 0, other = 0, errors = 0;
  auto open = [&](std::size_t i) {
    Conn& c = pool[i];
    c = Conn{};
    c.fd = ConnectTo(addr);
    if (c.fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    return true;
  };
  auto start_request = [&](std::size_t i) {
    Conn& c = pool[i];
    if (started >= total) return;
    ++started;
    c.busy = true;
    c.sent = 0;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  };
  double t0 = MonotonicS();
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (open(i)) start_request(i);
  }
  std::vector<epoll_event> ready(1024);
  while (ok + other + errors < total) {
    int n = epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), 1000);
    for (int k = 0; k < n; ++k) {
      std::size_t i = ready[k].data.u64;
      Conn& c = pool[i];
      bool broken = false;
      if ((ready[k].events & EPOLLOUT) && c.busy && c.sent < request.size()) {
        ssize_t put = send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
        if (put < 0 && errno != EAGAIN) broken = true;
        if (put > 0) c.sent += static_cast<std::size_t>(put);
        if (c.sent == request.size()) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = i;
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
      }
      if (!broken && (ready[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        char buf[16384];
        for (;;) {
          ssize_t got = recv(c.fd, buf, sizeof buf, 0);
          if (got > 0) {
            c.in.append(buf, static_cast<std::size_t>(got));
            continue;
          }
          if (got == 0 || errno != EAGAIN) broken = true;
          break;
        }
        Head head;
        bool answered = false;
        if (ParseHead(c.in, head) && head.content_length >= 0 &&
            c.in.size() >= head.size + static_cast<std::size_t>(head.content_length)) {
          (head.status / 100 == 2 ? ok : other)++;
          c.in.erase(0, head.size + static_cast<std::size_t>(head.content_length));
          c.busy = false;
          answered = true;
        }
        if (answered && !broken) start_request(i);
      }
      if (broken) {
        // A close after a full answer is the server's keep-alive limit, not an error.
        if (c.busy) ++errors;
        c.busy = false;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = -1;
        if (started < total && open(i)) start_request(i);
      }
    }
    bool any_busy = false;
    for (const auto& c : pool) any_busy = any_busy || c.busy;
    if (!any_busy && started >= total) break;
  }
  std::printf("posted %ld %ld %ld %.3f\n", ok, other, errors, MonotonicS() - t0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(
        stderr,
        "usage: probe stream HOST PORT TOKENS_FILE | probe post HOST PORT N C TOKEN BODY_FILE\n");
    return 2;
  }
  std::string mode = argv[1];
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[3])));
  if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) {
    std::fprintf(stderr, "probe: bad address %s\n", argv[2]);
    return 2;
  }
  if (mode == "stream" && argc == 5) {
    std::ifstream in(argv[4]);
    std::vector<std::string> tokens;
    for (std::string t; std::getline(in, t);) {
      if (!t.empty()) tokens.push_back(t);
    }
    if (tokens.empty()) {
      std::fprintf(stderr, "probe: no tokens in %s\n", argv[4]);
      return 2;
    }
    return StreamProbe(addr, std::move(tokens)).Run();
  }
  if (mode == "post" && argc == 8) {
    std::ifstream in(argv[7]);
    std::stringstream body;
    body << in.rdbuf();
    return RunPosts(addr, std::atol(argv[4]), std::atol(argv[5]), argv[6], body.str());
  }
  std::fprintf(stderr, "probe: bad arguments\n");
  return 2;
}
