// The test PostgreSQL cluster (tools/pg_cluster.sh), which ctest's
// `postgres` fixture starts before the tests that need it and stops after.
#ifndef SCRIBE_TESTS_SUPPORT_POSTGRES_H_
#define SCRIBE_TESTS_SUPPORT_POSTGRES_H_

#include <string>

namespace scribe::testing {

// The cluster's URL; fails the test (and returns "") when it is not running.
std::string PostgresClusterUrl();
// A new, empty database of the cluster, for one test: its URL.
std::string NewPostgresDatabase();

}  // namespace scribe::testing

#endif  // SCRIBE_TESTS_SUPPORT_POSTGRES_H_
