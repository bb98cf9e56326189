// Package chhttp answers ClickHouse's HTTP interface, read-only, from the
// embedded ClickHouse of `frontline serve`.
//
// Why it exists: serve holds the chDB data directory in its own process,
// and nothing else can open it; Grafana's ClickHouse data source
// (grafana-clickhouse-datasource, protocol http, which is clickhouse-go/v2
// over HTTP) can only reach a ClickHouse server. This handler is that
// server for the dashboards and alert rules Frontline generates: it speaks
// the HTTP interface well enough for clickhouse-go and the plugin, on a
// listen address of its own, and lets nothing through but reads.
//
// # What a request may carry
//
// The query comes from the query URL parameter, the POST body, or both
// (joined by a newline, as on the server); GET and POST are both queries.
// /ping, and / without a query, answer "Ok.".
//
//   - Credentials: HTTP Basic (clickhouse-go without TLS), the
//     X-ClickHouse-User and X-ClickHouse-Key headers (clickhouse-go with
//     TLS), or the user and password URL parameters; exactly one way.
//     Anything else is 401 with AUTHENTICATION_FAILED and nothing runs.
//     Secrets are compared in constant time.
//   - database (or X-ClickHouse-Database): empty or the store's database;
//     any other is refused (DATABASE_ACCESS_DENIED), since every
//     Frontline query names its tables without a database.
//   - default_format, or a FORMAT clause, which wins: any output format of
//     the engine. Native (what clickhouse-go reads) is re-encoded for the
//     client_protocol_version the client sends (see native.go); the text
//     formats (TabSeparated by default, JSON*, CSV, Pretty…) are the
//     engine's output as is.
//   - param_<name>: query parameters for {name:Type}, values in the
//     server's escaped text form. A query naming a parameter the request
//     does not give is refused (UNKNOWN_QUERY_PARAMETER): the engine keeps
//     parameters in its session, so a stale one must not fill the gap.
//   - Settings, as URL parameters or in a SETTINGS clause: only those in
//     allowedSettings (limits, limit/offset, threads, join_use_nulls,
//     additional_table_filters whose conditions are checked like the query,
//     session_timezone and output formatting). max_execution_time,
//     max_result_rows and max_result_bytes may lower the caps of Options:
//     a URL value above a cap is lowered to it (clickhouse-go sends
//     max_execution_time as its context deadline plus 5 s), a SETTINGS
//     clause above it is refused. Other settings are refused
//     (SETTING_CONSTRAINT_VIOLATION).
//   - HTTP-interface parameters that are not settings are read when
//     implemented (query_id, compress, enable_http_compression,
//     http_zlib_compression_level, network_compression_method, decompress,
//     client_protocol_version) and otherwise ignored: quota_key, role,
//     buffer sizes, progress headers, wait_end_of_query (results are always
//     sent whole, after the query ended, so an error is always a non-200
//     answer) and session_id, session_timeout, session_check,
//     close_session: there are no server-side sessions, each request stands
//     alone (SET and temporary tables, which sessions exist to keep, are
//     refused anyway).
//   - Compression: see compress.go; external tables (multipart bodies) are
//     not supported.
//
// Answers carry X-ClickHouse-Format, X-ClickHouse-Timezone,
// X-ClickHouse-Server-Display-Name, X-ClickHouse-Query-Id and
// X-ClickHouse-Summary (result rows for Native, result bytes, elapsed;
// the engine does not report rows read, so those are 0). Errors are a
// non-200 status, X-ClickHouse-Exception-Code and the body
// "Code: N. DB::Exception: … (NAME)", which clickhouse-go turns into a
// *clickhouse.Exception.
//
// # Read-only
//
// Only SELECT (with WITH, UNION, INTERSECT, EXCEPT), SHOW, DESCRIBE and
// EXISTS run; every other statement (INSERT, CREATE, ALTER, DROP, RENAME,
// TRUNCATE, OPTIMIZE, SYSTEM, KILL, GRANT, SET, USE, EXPLAIN …), several
// statements, INTO OUTFILE, table functions other than numbers, values
// and generateSeries, and the functions that read files or call out (file,
// the ai* functions, model and introspection functions) are refused before
// the query runs. The engine's parser decides what a query
// is; the steps are in guard.go. Reading system tables is allowed: the
// plugin's query builder lists databases, tables, columns and functions
// from them.
//
// What runs is the query as the engine's formatter re-printed it, followed
// by a query-level SETTINGS clause with the endpoint's limits and the
// engine's readonly setting; the engine's session, shared with the
// collector, keeps its settings. Query parameters are the exception, as for
// every statement of the store: they are set on the session (SET
// param_<name>) just before the query, under the engine's lock.
//
// The engine runs one statement at a time for the whole process, so a
// dashboard's query holds up the collector's inserts while it runs;
// Options.MaxExecutionTime bounds that. A request whose client goes away is
// not interrupted once its query has started.
package chhttp
