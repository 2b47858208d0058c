#pragma once
// PostgreSQL on libpq: RAII connections and results, named parameterised statements only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "platform/error.hpp"
#include "platform/pg/query.hpp"

// libpq's opaque handles, declared as <libpq-fe.h> does, so that this header does not bring
// libpq to everything that talks to a database.
typedef struct pg_conn PGconn;      // NOLINT(modernize-use-using)
typedef struct pg_result PGresult;  // NOLINT(modernize-use-using)

namespace platform::pg {

// DbError: a database failure, kept apart from Error so callers can react to SQLSTATE.
struct DbError {
  std::string sqlstate;        // e.g. 23505 unique_violation; empty for connection failures
  std::string message;         // for logs only, never for clients
  bool malformed_row = false;  // a row not of the shape its reader expects (see RowError)

  bool IsUniqueViolation() const { return sqlstate == "23505"; }
  bool IsSerializationFailure() const { return sqlstate == "40001" || sqlstate == "40P01"; }
  bool IsMalformedRow() const { return malformed_row; }
  Error ToError() const;
  // On the request path a database failure is its Error (so TODO_TRY can pass it on).
  operator Error() const { return ToError(); }  // NOLINT(google-explicit-constructor)
};

// RowError: a row that does not have the shape its reader expects (a column missing, NULL
// where a value must be, text that is not a number): a bug or a schema mismatch, never a
// client's doing. It becomes a DbError marked malformed_row where a DbResult is returned.
struct RowError {
  std::string column;
  std::string problem;
  std::string Message() const { return "malformed row: column " + column + ": " + problem; }
  operator DbError() const {
    return DbError{"", Message(), true};
  }  // NOLINT(google-explicit-constructor)
};

template <typename T>
using RowResult = std::expected<T, RowError>;

class Rows;

// Row: one row of a result, read by column name (never by position).
class Row {
 public:
  Row(const Rows& rows, int index) : rows_(&rows), index_(index) {}
  RowResult<std::string> Text(std::string_view column) const;
  RowResult<std::optional<std::string>> OptionalText(std::string_view column) const;
  RowResult<std::int64_t> Int(std::string_view column) const;
  RowResult<std::optional<std::int64_t>> OptionalInt(std::string_view column) const;
  RowResult<bool> Bool(std::string_view column) const;
  RowResult<std::optional<bool>> OptionalBool(std::string_view column) const;

 private:
  RowResult<int> Find(std::string_view column) const;
  const Rows* rows_;
  int index_;
};

template <typename T>
using DbResult = std::expected<T, DbError>;

// Rows: an owned PGresult with typed accessors.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  int Size() const;
  bool Empty() const { return Size() == 0; }
  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;
  std::optional<std::string> OptionalText(int row, int col) const;
  std::int64_t Int(int row, int col) const;
  std::optional<std::int64_t> OptionalInt(int row, int col) const;
  bool Bool(int row, int col) const;
  std::int64_t AffectedRows() const;
  // Row i, read by column name.
  Row At(int i) const { return Row(*this, i); }
  // The position of a named column, or -1. Looks from the last hit on, so reading a row's
  // columns in select order costs one comparison each.
  int ColumnIndex(std::string_view name) const;

 private:
  struct Clear {
    void operator()(PGresult* result) const;
  };
  std::unique_ptr<PGresult, Clear> result_;
  mutable int column_hint_ = 0;
};

// Connection: one libpq connection that prepares each named Query once.
class Connection {
 public:
  static DbResult<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  DbResult<Rows> Execute(const Query& query, const Params& params = {});
  // Runs a fixed, parameterless script (migrations, BEGIN/COMMIT); never user input.
  DbResult<void> ExecuteScript(std::string_view sql);
  // Runs body inside BEGIN/COMMIT; rolls back when body returns an error.
  template <typename F>
  auto Transaction(F&& body) -> std::invoke_result_t<F&, Connection&>;
  // Waits up to timeout for a LISTEN notification; returns its channel and payload.
  DbResult<std::optional<std::pair<std::string, std::string>>> WaitNotification(
      std::chrono::milliseconds timeout);
  bool Healthy() const;
  // Healthy, and for an idle connection that does not LISTEN also not closed by the server
  // meanwhile (a restart or a failover leaves pooled connections that look fine until used):
  // false when anything is waiting on its socket. No round trip.
  bool StillConnected();
  DbResult<void> Reset();
  PGconn* Raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
  std::unordered_set<std::string> prepared_;
};

DbError ToDbError(std::string_view what);

// Converts a DbError into the error type a caller's std::expected carries.
template <typename E>
E ConvertDbError(const DbError& error) {
  if constexpr (std::is_same_v<E, DbError>) {
    return error;
  } else {
    return error.ToError();
  }
}

template <typename F>
auto Connection::Transaction(F&& body) -> std::invoke_result_t<F&, Connection&> {
  using R = std::invoke_result_t<F&, Connection&>;
  using E = typename R::error_type;
  if (auto begun = ExecuteScript("BEGIN"); !begun) {
    return std::unexpected(ConvertDbError<E>(begun.error()));
  }
  R result = body(*this);
  if (!result) {
    (void)ExecuteScript("ROLLBACK");
    return result;
  }
  if (auto committed = ExecuteScript("COMMIT"); !committed) {
    (void)ExecuteScript("ROLLBACK");
    return std::unexpected(ConvertDbError<E>(committed.error()));
  }
  return result;
}

}  // namespace platform::pg
