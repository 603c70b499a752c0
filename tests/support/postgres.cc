#include "tests/support/postgres.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <fstream>
#include <random>

namespace scribe::testing {

std::string PostgresClusterUrl() {
  std::ifstream file(std::string(SCRIBE_TEST_POSTGRES_DIR) + "/url");
  std::string url;
  std::getline(file, url);
  EXPECT_FALSE(url.empty()) << "no test PostgreSQL cluster: run the tests through ctest, whose "
                               "`postgres` fixture starts one (tools/pg_cluster.sh)";
  return url;
}

std::string NewPostgresDatabase() {
  std::string cluster = PostgresClusterUrl();
  if (cluster.empty()) return "";
  static std::mt19937_64 rng(std::random_device{}());
  std::string name = "t" + std::to_string(rng());
  PGconn* conn = PQconnectdb(cluster.c_str());
  PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  EXPECT_TRUE(ok) << PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!ok) return "";
  return cluster.substr(0, cluster.rfind('/') + 1) + name;
}

}  // namespace scribe::testing
