# Writes OUTPUT, a C++ file holding every NNN_name.sql file of SCHEMA_DIR as
# a Migration {version, name, sql}, in version order, returned by
# NAMESPACE::FUNCTION().
file(GLOB files RELATIVE ${SCHEMA_DIR} ${SCHEMA_DIR}/[0-9][0-9][0-9]_*.sql)
list(SORT files)
set(body "")
foreach(file ${files})
  string(SUBSTRING ${file} 0 3 version)
  math(EXPR version "${version}")
  file(READ ${SCHEMA_DIR}/${file} sql)
  string(APPEND body "    {${version}, \"${file}\", R\"scribe_sql(${sql})scribe_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from schema/*.sql by cmake/embed_schema.cmake. Do not edit.
#include \"host/store/sql/migrations.h\"

namespace ${NAMESPACE} {

const std::vector<sql::Migration>& ${FUNCTION}() {
  static const std::vector<sql::Migration> kMigrations = {
${body}  };
  return kMigrations;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
