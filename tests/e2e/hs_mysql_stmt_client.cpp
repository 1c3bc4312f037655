// Server-side prepared statements for the MySQL e2e suite (Debian's MariaDB
// clients only send text queries): prepares one statement with one INT
// parameter over TCP, executes it COUNT times (parameter 1..1000, cycling),
// reads every result, closes it.
//
//   hs_mysql_stmt_client HOST PORT USER PASSWORD DB SQL COUNT
//
// Prints "done <pid> <executions>" and exits 0; exits 3 when the prepare fails
// (its error on stderr), 1 on any other failure.
#include <mysql.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int fail(const char* what, const char* why) {
  std::fprintf(stderr, "%s: %s\n", what, why);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s HOST PORT USER PASSWORD DB SQL COUNT\n", argv[0]);
    return 2;
  }
  const char* host = argv[1];
  unsigned port = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
  const std::string sql = argv[6];
  long count = std::strtol(argv[7], nullptr, 10);

  MYSQL* db = mysql_init(nullptr);
  if (!db) return fail("mysql_init", "out of memory");
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(db, MYSQL_OPT_PROTOCOL, &protocol);
  if (!mysql_real_connect(db, host, argv[3], argv[4], argv[5], port, nullptr, 0)) {
    int rc = fail("connect", mysql_error(db));
    mysql_close(db);
    return rc;
  }
  MYSQL_STMT* st = mysql_stmt_init(db);
  if (!st) return fail("mysql_stmt_init", mysql_error(db));
  if (mysql_stmt_prepare(st, sql.c_str(), sql.size()) != 0) {
    std::fprintf(stderr, "prepare: %u (%s): %s\n", mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
    mysql_stmt_close(st);
    mysql_close(db);
    return 3;
  }
  int value = 0;
  MYSQL_BIND param;
  std::memset(&param, 0, sizeof(param));
  param.buffer_type = MYSQL_TYPE_LONG;
  param.buffer = &value;
  if (mysql_stmt_bind_param(st, &param) != 0) return fail("bind", mysql_stmt_error(st));
  long done = 0;
  for (long i = 0; i < count; ++i) {
    value = static_cast<int>(i % 1000) + 1;
    if (mysql_stmt_execute(st) != 0) return fail("execute", mysql_stmt_error(st));
    // Results are read whole so the next execute starts on a quiet connection.
    if (mysql_stmt_field_count(st) > 0) {
      if (mysql_stmt_store_result(st) != 0) return fail("store_result", mysql_stmt_error(st));
      mysql_stmt_free_result(st);
    }
    ++done;
  }
  mysql_stmt_close(st);
  mysql_close(db);
  std::printf("done %d %ld\n", static_cast<int>(::getpid()), done);
  return 0;
}
