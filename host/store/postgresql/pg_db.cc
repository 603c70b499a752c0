#include "host/store/postgresql/pg_db.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <vector>

namespace scribe::store::postgresql {
namespace {

// Type OIDs of PostgreSQL's built-in types (catalog/pg_type.h).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat8Oid = 701;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea's text form ("\x" and two hex digits per byte) as bytes.
std::string DecodeBytea(std::string_view text) {
  std::string bytes;
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text);
  bytes.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    bytes.push_back(static_cast<char>(HexValue(text[i]) << 4 | HexValue(text[i + 1])));
  }
  return bytes;
}

class PgStmt final : public sql::StmtImpl {
 public:
  PgStmt(PgDb& db, std::string sql, bool persistent)
      : db_(db), sql_(std::move(sql)), persistent_(persistent) {}

  const Status& prepare_status() const override { return prepare_status_; }
  void Bind(int index, int64_t value) override {
    Param& p = At(index);
    p = Param{std::to_string(value), kInt8Oid, 0, false, true};
  }
  void Bind(int index, double value) override {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    Param& p = At(index);
    p = Param{std::string(buffer, ec == std::errc() ? end : buffer), kFloat8Oid, 0, false, true};
  }
  void Bind(int index, std::string_view text) override {
    Param& p = At(index);
    p = Param{std::string(text), 0, 0, false, true};  // typed by where it is used
  }
  void BindBlob(int index, std::string_view bytes) override {
    Param& p = At(index);
    p = Param{std::string(bytes), kByteaOid, 1, false, true};
  }
  void BindNull(int index) override { At(index) = Param{"", 0, 0, true, true}; }

  bool Step() override {
    if (!status_.ok()) return false;
    if (!result_) {
      if (!Execute()) return false;
      row_ = -1;
    }
    decoded_.clear();
    return ++row_ < PQntuples(result_.get());
  }
  const Status& status() const override { return status_; }
  void Reset() override {
    result_.reset();
    params_.clear();
    status_ = Status::Ok();
  }

  bool IsNull(int col) const override { return PQgetisnull(result_.get(), row_, col) != 0; }
  int64_t Int(int col) const override {
    std::string_view text = Value(col);
    if (PQftype(result_.get(), col) == kBoolOid) return text == "t" ? 1 : 0;
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }
  double Double(int col) const override { return std::strtod(Value(col).data(), nullptr); }
  std::string Text(int col) const override { return std::string(Value(col)); }
  std::string_view Blob(int col) const override {
    if (PQftype(result_.get(), col) != kByteaOid) return Value(col);
    auto it = decoded_.find(col);
    if (it == decoded_.end()) it = decoded_.emplace(col, DecodeBytea(Value(col))).first;
    return it->second;
  }

 private:
  struct Param {
    std::string value;
    Oid type = 0;  // 0: inferred from where it is used
    int format = 0;
    bool null = true;
    bool bound = false;
  };

  Param& At(int index) {
    if (static_cast<int>(params_.size()) < index) params_.resize(static_cast<size_t>(index));
    return params_[static_cast<size_t>(index - 1)];
  }

  std::string_view Value(int col) const {
    return std::string_view(PQgetvalue(result_.get(), row_, col),
                            static_cast<size_t>(PQgetlength(result_.get(), row_, col)));
  }

  bool Execute() {
    // A reader runs no transaction across statements: it may reconnect.
    if (db_.reader()) db_.ReconnectIfBroken();
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;
    for (const Param& p : params_) {
      values.push_back(p.null ? nullptr : p.value.data());
      lengths.push_back(static_cast<int>(p.value.size()));
      formats.push_back(p.format);
      // A number the SQL skips (a filter left out) still needs a type.
      types.push_back(p.bound ? p.type : kTextOid);
    }
    const int count = static_cast<int>(params_.size());
    if (persistent_) {
      // Parsed and planned once per connection and set of parameter types.
      Result<std::string> name = Prepared(types);
      if (!name.ok()) {
        status_ = name.status();
        return false;
      }
      result_.reset(PQexecPrepared(db_.conn(), name->c_str(), count, values.data(),
                                   lengths.data(), formats.data(), 0));
    } else {
      result_.reset(PQexecParams(db_.conn(), sql_.c_str(), count, types.data(), values.data(),
                                 lengths.data(), formats.data(), 0));
    }
    if (!result_ || !Succeeded(result_.get())) {
      status_ = PgStatus(db_.conn(), result_.get(), "query");
      result_.reset();
      return false;
    }
    const char* tuples = PQcmdTuples(result_.get());
    db_.set_changes(tuples[0] != '\0' ? std::atoll(tuples) : 0);
    return true;
  }

  // The server-side statement for these parameter types on the current
  // connection, prepared now if need be.
  Result<std::string> Prepared(const std::vector<Oid>& types) {
    if (prepared_generation_ != db_.generation()) {
      prepared_.clear();  // the connection was opened again: they are gone
      prepared_generation_ = db_.generation();
    }
    auto it = prepared_.find(types);
    if (it != prepared_.end()) return it->second;
    std::string name = db_.NewStatementName();
    ResultPtr prepared(PQprepare(db_.conn(), name.c_str(), sql_.c_str(),
                                 static_cast<int>(types.size()), types.data()));
    if (!prepared || !Succeeded(prepared.get())) {
      return PgStatus(db_.conn(), prepared.get(), "prepare");
    }
    prepared_.emplace(types, name);
    return name;
  }

  PgDb& db_;
  const std::string sql_;
  const bool persistent_;
  std::map<std::vector<Oid>, std::string> prepared_;
  uint64_t prepared_generation_ = 0;
  const Status prepare_status_;
  Status status_;
  std::vector<Param> params_;
  ResultPtr result_;
  int row_ = -1;
  mutable std::map<int, std::string> decoded_;  // bytea columns of the current row
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string RedactedUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string TranslateSql(std::string_view sql) {
  static constexpr std::string_view kOpen = "/*pg:";
  std::string out;
  out.reserve(sql.size() + 16);
  for (size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or quoted identifier, copied as is
      size_t end = sql.find(c, i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out.push_back('$');
      ++i;
    } else if (sql.substr(i, kOpen.size()) == kOpen) {
      size_t end = sql.find("*/", i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i + kOpen.size(), end - i - kOpen.size()));
      i = end + 2;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

Status PgStatus(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = field ? field : "";
  std::string detail = result ? PQresultErrorMessage(result) : "";
  if (detail.empty() && conn) detail = PQerrorMessage(conn);
  while (!detail.empty() && std::isspace(static_cast<unsigned char>(detail.back()))) {
    detail.pop_back();
  }
  std::string message = std::string(what) + ": " + detail;
  if (state == "40P01" || state == "40001") return Unavailable("storage_conflict", message);
  if (state.rfind("23", 0) == 0) return Conflict("constraint", message);
  if (state == "53100") return Unavailable("storage_full", "the disk is full; " + message);
  if (state == "55P03" || state == "57014") return Unavailable("storage_busy", message);
  if (state == "54000") return Status(Code::kPayloadTooLarge, "too_large", message);
  if (state.empty() || state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 ||
      state.rfind("53", 0) == 0 || (conn && PQstatus(conn) != CONNECTION_OK)) {
    return Unavailable("storage_unavailable", message);
  }
  return Internal(message + " (SQLSTATE " + state + ")");
}

Result<std::unique_ptr<PgDb>> PgDb::Connect(const std::string& url, bool reader,
                                            int lock_timeout_ms) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string error = conn ? PQerrorMessage(conn) : "out of memory";
    while (!error.empty() && std::isspace(static_cast<unsigned char>(error.back()))) {
      error.pop_back();
    }
    PQfinish(conn);
    return Unavailable("storage_unavailable",
                       "cannot connect to " + RedactedUrl(url) + ": " + error);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  std::string setup =
      "SET application_name = 'scribed'; SET lock_timeout = " + std::to_string(lock_timeout_ms) +
      ";" + (reader ? " SET default_transaction_read_only = on;" : "");
  std::unique_ptr<PgDb> db(new PgDb(conn, setup, reader));
  SCRIBE_RETURN_IF_ERROR(db->Exec(setup));
  return db;
}

PgDb::~PgDb() {
  ClearCached();
  PQfinish(conn_);
}

void PgDb::ReconnectIfBroken() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  ++generation_;
  if (PQstatus(conn_) == CONNECTION_OK) (void)Exec(setup_);
}

Status PgDb::Exec(std::string_view sql) {
  ResultPtr result(PQexec(conn_, std::string(sql).c_str()));
  if (!result || !Succeeded(result.get())) return PgStatus(conn_, result.get(), "exec");
  return Status::Ok();
}

Status PgDb::BeginWrite() {
  ReconnectIfBroken();
  return Run("BEGIN");
}

std::unique_ptr<sql::StmtImpl> PgDb::Prepare(std::string_view sql, bool persistent) {
  return std::make_unique<PgStmt>(*this, TranslateSql(sql), persistent);
}

Result<int> PgDb::SchemaVersion() {
  Stmt exists(*this, "SELECT to_regclass('scribe_schema') IS NOT NULL");
  if (!exists.Step()) return exists.status();
  if (exists.Int(0) == 0) return 0;
  Stmt version(*this, "SELECT coalesce(max(version), 0) FROM scribe_schema");
  if (!version.Step()) return version.status();
  return static_cast<int>(version.Int(0));
}

Status PgDb::SetSchemaVersion(int version) {
  return Exec(
      "CREATE TABLE IF NOT EXISTS scribe_schema (version INTEGER NOT NULL);"
      "DELETE FROM scribe_schema;"
      "INSERT INTO scribe_schema (version) VALUES (" +
      std::to_string(version) + ")");
}

}  // namespace scribe::store::postgresql
