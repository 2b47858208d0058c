#include "platform/pg/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>

#include "platform/log.hpp"
#include "platform/try.hpp"

namespace platform::pg {

Error DbError::ToError() const {
  // Internals stay in the log; the client learns only that the database is unavailable.
  log::Error("database error", {{"sqlstate", sqlstate}, {"error", message}});
  // A malformed row has no SQLSTATE either, but it is a bug, not an outage worth a retry.
  if (malformed_row) return Error::Internal();
  if (sqlstate.empty() || sqlstate.starts_with("08") || sqlstate.starts_with("57")) {
    return Error::Unavailable("the database is unavailable", 1);
  }
  return Error::Internal();
}

DbError ToDbError(std::string_view what) { return DbError{"", std::string(what)}; }

void Rows::Clear::operator()(PGresult* result) const { PQclear(result); }

int Rows::Size() const { return PQntuples(result_.get()); }

bool Rows::IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) == 1; }

std::string Rows::Text(int row, int col) const {
  return std::string(PQgetvalue(result_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
}

std::optional<std::string> Rows::OptionalText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

std::int64_t Rows::Int(int row, int col) const {
  const char* v = PQgetvalue(result_.get(), row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + PQgetlength(result_.get(), row, col), out);
  return out;
}

std::optional<std::int64_t> Rows::OptionalInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

bool Rows::Bool(int row, int col) const { return PQgetvalue(result_.get(), row, col)[0] == 't'; }

int Rows::ColumnIndex(std::string_view name) const {
  const int n = PQnfields(result_.get());
  for (int k = 0; k < n; ++k) {
    int i = (column_hint_ + k) % n;
    if (name == PQfname(result_.get(), i)) {
      column_hint_ = (i + 1) % n;
      return i;
    }
  }
  return -1;
}

RowResult<int> Row::Find(std::string_view column) const {
  int col = rows_->ColumnIndex(column);
  if (col < 0) return std::unexpected(RowError{std::string(column), "no such column"});
  return col;
}

RowResult<std::optional<std::string>> Row::OptionalText(std::string_view column) const {
  TODO_TRY(int col, Find(column));
  return rows_->OptionalText(index_, col);
}

RowResult<std::string> Row::Text(std::string_view column) const {
  TODO_TRY(int col, Find(column));
  if (rows_->IsNull(index_, col)) return std::unexpected(RowError{std::string(column), "NULL"});
  return rows_->Text(index_, col);
}

RowResult<std::optional<std::int64_t>> Row::OptionalInt(std::string_view column) const {
  TODO_TRY(int col, Find(column));
  if (rows_->IsNull(index_, col)) return std::optional<std::int64_t>();
  std::string text = rows_->Text(index_, col);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::unexpected(RowError{std::string(column), "not an integer"});
  }
  return out;
}

RowResult<std::int64_t> Row::Int(std::string_view column) const {
  TODO_TRY(auto value, OptionalInt(column));
  if (!value) return std::unexpected(RowError{std::string(column), "NULL"});
  return *value;
}

RowResult<std::optional<bool>> Row::OptionalBool(std::string_view column) const {
  TODO_TRY(int col, Find(column));
  if (rows_->IsNull(index_, col)) return std::optional<bool>();
  std::string text = rows_->Text(index_, col);
  if (text == "t") return std::optional<bool>(true);
  if (text == "f") return std::optional<bool>(false);
  return std::unexpected(RowError{std::string(column), "not a boolean"});
}

RowResult<bool> Row::Bool(std::string_view column) const {
  TODO_TRY(auto value, OptionalBool(column));
  if (!value) return std::unexpected(RowError{std::string(column), "NULL"});
  return *value;
}

std::int64_t Rows::AffectedRows() const {
  const char* n = PQcmdTuples(result_.get());
  std::int64_t out = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), out);
  return out;
}

namespace {
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}
}  // namespace

DbResult<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn ? PQerrorMessage(conn) : "out of memory";
    if (conn) PQfinish(conn);
    return std::unexpected(DbError{"", message});
  }
  // Server notices ("relation already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

namespace {

DbError ResultError(PGconn* conn, PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  return DbError{state ? state : "", message};
}

bool Succeeded(PGresult* result) {
  auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

DbResult<Rows> Connection::Execute(const Query& query, const Params& params) {
  std::string name(query.name);
  if (!prepared_.contains(name)) {
    PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(query.sql).c_str(), 0, nullptr);
    if (!Succeeded(prepared)) {
      auto error = ResultError(conn_, prepared);
      PQclear(prepared);
      return std::unexpected(error);
    }
    PQclear(prepared);
    prepared_.insert(name);
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0);
  if (!Succeeded(result)) {
    auto error = ResultError(conn_, result);
    PQclear(result);
    return std::unexpected(error);
  }
  return Rows(result);
}

DbResult<void> Connection::ExecuteScript(std::string_view sql) {
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  if (!Succeeded(result)) {
    auto error = ResultError(conn_, result);
    PQclear(result);
    return std::unexpected(error);
  }
  PQclear(result);
  return {};
}

DbResult<std::optional<std::pair<std::string, std::string>>> Connection::WaitNotification(
    std::chrono::milliseconds timeout) {
  auto take = [this]() -> std::optional<std::pair<std::string, std::string>> {
    PGnotify* notify = PQnotifies(conn_);
    if (notify == nullptr) return std::nullopt;
    std::pair<std::string, std::string> out{notify->relname, notify->extra};
    PQfreemem(notify);
    return out;
  };
  if (!PQconsumeInput(conn_)) return std::unexpected(ToDbError(PQerrorMessage(conn_)));
  if (auto n = take()) return n;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return std::unexpected(ToDbError("poll failed"));
  if (ready == 0) return std::optional<std::pair<std::string, std::string>>{};
  if (!PQconsumeInput(conn_)) return std::unexpected(ToDbError(PQerrorMessage(conn_)));
  return take();
}

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Connection::StillConnected() {
  if (!Healthy()) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  // Nothing arrives unasked on an idle connection that does not LISTEN but the server's
  // goodbye (a FATAL message, then the close), which libpq would notice only at the next
  // statement: whatever arrived, the connection is not to be trusted with one.
  return ::poll(&fd, 1, 0) <= 0;
}

DbResult<void> Connection::Reset() {
  PQreset(conn_);
  prepared_.clear();
  if (PQstatus(conn_) != CONNECTION_OK) return std::unexpected(ToDbError(PQerrorMessage(conn_)));
  return {};
}

}  // namespace platform::pg
