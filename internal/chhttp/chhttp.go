package chhttp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	chcompress "github.com/ClickHouse/ch-go/compress"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/prometheus/client_golang/prometheus"
)

// Runner runs one statement on the engine the handler serves and returns
// the engine's output as written. *store.Embedded implements it (QueryRaw).
type Runner interface {
	// QueryRaw runs query in Database with the query parameters params
	// (values in ClickHouse's escaped text form, as the HTTP interface
	// receives them) and returns its output in format.
	QueryRaw(ctx context.Context, query string, params map[string]string, format string) ([]byte, error)
	// Database is the database queries run in.
	Database() string
}

// Options configure the handler. Zero fields take the defaults given.
type Options struct {
	// User and Password are the credentials every query must carry (HTTP
	// Basic, X-ClickHouse-User/X-ClickHouse-Key or the user/password URL
	// parameters). Required.
	User, Password string
	// MaxExecutionTime caps max_execution_time of every query; a client may
	// lower it. The engine runs one statement at a time and the collector
	// waits behind a dashboard's query, so it is short. Default 30 s.
	MaxExecutionTime time.Duration
	// MaxResultBytes caps max_result_bytes. The result is held in memory
	// before it is sent, up to three times over (the engine's output, its
	// Native re-encoding, its compression). Default 64 MiB.
	MaxResultBytes int64
	// MaxResultRows caps max_result_rows. Default 0: rows are not capped.
	MaxResultRows int64
	// MaxQuerySize bounds the query text, URL parameter and body together.
	// Default 256 KiB, the server's max_query_size.
	MaxQuerySize int64
	// Logger receives refused and failed queries (Info and Warn) and every
	// query at Debug. Default: discard.
	Logger *slog.Logger
	// Registerer for the handler's metrics. Default: not registered.
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() Options {
	if o.MaxExecutionTime == 0 {
		o.MaxExecutionTime = 30 * time.Second
	}
	if o.MaxResultBytes == 0 {
		o.MaxResultBytes = 64 << 20
	}
	if o.MaxQuerySize == 0 {
		o.MaxQuerySize = 256 << 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Handler answers the ClickHouse HTTP interface from a Runner, read-only.
// It is safe for concurrent use; the engine runs one statement at a time.
type Handler struct {
	r Runner
	o Options
	m *metrics

	userSum, passSum [sha256.Size]byte

	// What the engine told New.
	displayName, version, timezone string
	revision                       uint64
	sc                             column.ServerContext
	tableFunctions                 map[string]bool   // lower-cased names
	formats                        map[string]string // lower-cased → engine's spelling, output formats
}

// New returns the handler for r. It asks the engine for its name, version,
// time zone, table functions and output formats, so r must be open.
func New(r Runner, o Options) (*Handler, error) {
	o = o.withDefaults()
	if o.User == "" || o.Password == "" {
		return nil, errors.New("cannot serve the ClickHouse HTTP interface: a user and a password are required")
	}
	h := &Handler{r: r, o: o, m: newMetrics(o.Registerer),
		userSum: sha256.Sum256([]byte(o.User)), passSum: sha256.Sum256([]byte(o.Password)),
		tableFunctions: map[string]bool{}, formats: map[string]string{}}
	ctx := context.Background()
	out, err := r.QueryRaw(ctx, "SELECT displayName(), version(), timezone(), revision()", nil, "TSVRaw")
	if err != nil {
		return nil, fmt.Errorf("cannot ask the engine for its version: %w", err)
	}
	f := strings.Split(strings.TrimRight(string(out), "\n"), "\t")
	if len(f) != 4 {
		return nil, fmt.Errorf("cannot read the engine's version from %q", out)
	}
	h.displayName, h.version, h.timezone = f[0], f[1], f[2]
	if h.revision, err = strconv.ParseUint(f[3], 10, 64); err != nil {
		return nil, fmt.Errorf("cannot read the engine's revision %q: %w", f[3], err)
	}
	tz, err := time.LoadLocation(h.timezone)
	if err != nil {
		tz = time.UTC
	}
	h.sc = serverContext(h.version, h.revision, tz)
	out, err = r.QueryRaw(ctx, "SELECT name FROM system.table_functions", nil, "TSVRaw")
	if err != nil {
		return nil, fmt.Errorf("cannot list the engine's table functions: %w", err)
	}
	for _, n := range strings.Fields(string(out)) {
		h.tableFunctions[strings.ToLower(n)] = true
	}
	out, err = r.QueryRaw(ctx, "SELECT name FROM system.formats WHERE is_output", nil, "TSVRaw")
	if err != nil {
		return nil, fmt.Errorf("cannot list the engine's output formats: %w", err)
	}
	for _, n := range strings.Fields(string(out)) {
		h.formats[strings.ToLower(n)] = n
	}
	if len(h.tableFunctions) == 0 || h.formats["native"] == "" {
		return nil, fmt.Errorf("cannot serve the ClickHouse HTTP interface: the engine lists %d table functions and no Native format", len(h.tableFunctions))
	}
	return h, nil
}

// request is what a client asked, read from the URL, headers and body.
type request struct {
	query    string
	params   map[string]string // param_<name>
	settings []setting         // checked settings from the URL
	format   string            // default_format
	protocol uint64            // client_protocol_version
	queryID  string

	compress     bool              // compress=1: ClickHouse block compression
	nativeMethod chcompress.Method // network_compression_method
	nativeLevel  int               // network_zstd_compression_level
	encoding     string            // Content-Encoding to write, "" for none
	zlibLevel    int               // http_zlib_compression_level
}

// setting is a checked setting and the literal it is applied with.
type setting struct{ name, literal string }

// ServeHTTP implements http.Handler: /ping and / without a query answer
// "Ok.", any other GET or POST is a query.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path == "/ping" || r.URL.Path == "/" && r.Method == http.MethodGet && !q.Has("query") {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		io.WriteString(w, "Ok.\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.fail(w, nil, &exception{code: codeUnsupportedMethod, name: "UNSUPPORTED_METHOD",
			text: fmt.Sprintf("cannot answer an HTTP %s: use GET or POST", r.Method), status: http.StatusMethodNotAllowed})
		return
	}
	if ex := h.authenticate(r); ex != nil {
		h.m.queries.WithLabelValues(resultUnauthorized).Inc()
		h.o.Logger.Warn("clickhouse http: refused credentials", "remote", r.RemoteAddr, "reason", ex.text)
		w.Header().Set("WWW-Authenticate", `Basic realm="ClickHouse", charset="UTF-8"`)
		h.fail(w, nil, ex)
		return
	}
	h.setServerHeaders(w)
	start := time.Now()
	req, ex := h.readRequest(r)
	var p *plan
	if ex == nil {
		p, ex = h.prepare(r.Context(), req)
	}
	var out []byte
	rows := -1
	if ex == nil {
		out, rows, ex = h.run(r.Context(), req, p)
	}
	h.m.duration.Observe(time.Since(start).Seconds())
	if ex != nil {
		h.fail(w, req, ex)
		return
	}
	h.m.queries.WithLabelValues(resultOK).Inc()
	h.o.Logger.Debug("clickhouse http: query", "query_id", req.queryID, "format", p.format, "bytes", len(out), "elapsed", time.Since(start))
	h.respond(w, req, p, out, rows, time.Since(start))
}

// setServerHeaders writes the headers the server sends with every answer.
func (h *Handler) setServerHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("X-ClickHouse-Server-Display-Name", h.displayName)
	hd.Set("X-ClickHouse-Timezone", h.timezone)
}

// authenticate checks the credentials, whichever way they came; giving
// them in more than one way is refused, as on the server.
func (h *Handler) authenticate(r *http.Request) *exception {
	type cred struct{ user, pass string }
	var found []cred
	if u, p, ok := r.BasicAuth(); ok {
		found = append(found, cred{u, p})
	}
	if u := r.Header.Get("X-ClickHouse-User"); u != "" || r.Header.Get("X-ClickHouse-Key") != "" {
		found = append(found, cred{u, r.Header.Get("X-ClickHouse-Key")})
	}
	q := r.URL.Query()
	if q.Has("user") || q.Has("password") {
		found = append(found, cred{q.Get("user"), q.Get("password")})
	}
	fail := func(why string) *exception {
		return &exception{code: codeAuthenticationFailed, name: "AUTHENTICATION_FAILED",
			text: "frontline: Authentication failed: " + why, status: http.StatusUnauthorized, refused: "credentials"}
	}
	switch len(found) {
	case 0:
		return fail("no credentials: give a user and password (HTTP Basic, X-ClickHouse-User/X-ClickHouse-Key or user/password parameters)")
	case 1:
	default:
		return fail("credentials given in more than one way")
	}
	us := sha256.Sum256([]byte(found[0].user))
	ps := sha256.Sum256([]byte(found[0].pass))
	okUser := subtle.ConstantTimeCompare(us[:], h.userSum[:])
	okPass := subtle.ConstantTimeCompare(ps[:], h.passSum[:])
	if okUser&okPass != 1 {
		return fail("password is incorrect, or there is no user with such name")
	}
	return nil
}

// readRequest reads the query, parameters and settings of r.
func (h *Handler) readRequest(r *http.Request) (*request, *exception) {
	q := r.URL.Query()
	req := &request{params: map[string]string{}, queryID: q.Get("query_id"), format: q.Get("default_format"), zlibLevel: 3}
	if req.queryID == "" {
		var b [16]byte
		rand.Read(b[:])
		req.queryID = hex.EncodeToString(b[:])
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return req, refusal("request", codeNotImplemented, "NOT_IMPLEMENTED", http.StatusNotImplemented,
			"cannot take external tables (multipart/form-data): this endpoint reads only the store")
	}
	if db := firstNonEmpty(q.Get("database"), r.Header.Get("X-ClickHouse-Database")); db != "" && db != h.r.Database() {
		return req, refusal("database", codeDatabaseAccessDenied, "DATABASE_ACCESS_DENIED", http.StatusForbidden,
			"cannot use database %q: this endpoint serves the database %q only", db, h.r.Database())
	}
	if v := q.Get("client_protocol_version"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return req, refusal("request", codeBadArguments, "BAD_ARGUMENTS", http.StatusBadRequest,
				"cannot read client_protocol_version %q: want a number", v)
		}
		req.protocol = n
	}
	req.compress = truthy(q.Get("compress"))
	if req.compress {
		m, err := nativeMethod(q.Get("network_compression_method"))
		if err != nil {
			return req, refusal("request", codeUnknownCompression, "UNKNOWN_COMPRESSION_METHOD", http.StatusBadRequest, "cannot compress the result: %v", err)
		}
		req.nativeMethod = m
	}
	if v := q.Get("network_zstd_compression_level"); v != "" {
		req.nativeLevel, _ = strconv.Atoi(v)
	}
	if v := q.Get("http_zlib_compression_level"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 9 {
			req.zlibLevel = n
		}
	}
	if truthy(q.Get("enable_http_compression")) {
		req.encoding = pickEncoding(r.Header.Get("Accept-Encoding"))
	}
	for name, vals := range q {
		v := vals[len(vals)-1]
		switch {
		case strings.HasPrefix(name, "param_"):
			p := strings.TrimPrefix(name, "param_")
			if !isIdentifier(p) {
				return req, refusal("parameter", codeBadQueryParameter, "BAD_QUERY_PARAMETER", http.StatusBadRequest,
					"cannot use query parameter %q: its name is not an identifier", name)
			}
			req.params[p] = v
		case transportParams[name]:
		default:
			lit, ex := h.checkSetting(name, v, true)
			if ex != nil {
				return req, ex
			}
			if lit != "" {
				req.settings = append(req.settings, setting{name, lit})
			}
		}
	}
	body, ex := requestBody(r, truthy(q.Get("decompress")), h.o.MaxQuerySize)
	if ex != nil {
		return req, ex
	}
	req.query = q.Get("query")
	if len(body) > 0 {
		if req.query != "" {
			req.query += "\n"
		}
		req.query += string(body)
	}
	if int64(len(req.query)) > h.o.MaxQuerySize {
		return req, &exception{code: codeQueryIsTooLarge, name: "QUERY_IS_TOO_LARGE",
			text:   fmt.Sprintf("cannot run a query of %d bytes: this endpoint takes at most %d (Options.MaxQuerySize)", len(req.query), h.o.MaxQuerySize),
			status: http.StatusRequestEntityTooLarge, refused: "request"}
	}
	return req, nil
}

// run runs a checked query and returns its output ready to send
// (re-encoded for the client's protocol revision when Native) and the
// number of rows when known (-1 otherwise).
func (h *Handler) run(ctx context.Context, req *request, p *plan) ([]byte, int, *exception) {
	out, err := h.r.QueryRaw(ctx, p.sql, req.params, p.format)
	if err != nil {
		return nil, -1, engineException(err)
	}
	rows := -1
	if p.format == "Native" && req.protocol > 0 {
		out, rows, err = reviseNative(out, req.protocol, h.sc)
		if err != nil {
			return nil, -1, &exception{code: codeLogicalError, name: "LOGICAL_ERROR",
				text: fmt.Sprintf("cannot send the result in Native for protocol revision %d: %v", req.protocol, err), status: http.StatusInternalServerError}
		}
	}
	return out, rows, nil
}

// respond sends a result: compressed as asked, with the headers of the
// server's HTTP interface.
func (h *Handler) respond(w http.ResponseWriter, req *request, p *plan, out []byte, rows int, elapsed time.Duration) {
	hd := w.Header()
	hd.Set("Content-Type", contentType(p.format))
	hd.Set("X-ClickHouse-Format", p.format)
	hd.Set("X-ClickHouse-Query-Id", req.queryID)
	resultBytes := len(out)
	summary := `{"read_rows":"0","read_bytes":"0","written_rows":"0","written_bytes":"0","total_rows_to_read":"0","result_rows":"` +
		strconv.Itoa(max(rows, 0)) + `","result_bytes":"` + strconv.Itoa(resultBytes) + `","elapsed_ns":"` + strconv.FormatInt(elapsed.Nanoseconds(), 10) + `"}`
	hd.Set("X-ClickHouse-Summary", summary)
	var err error
	if req.compress && len(out) > 0 {
		if out, err = compressNative(out, req.nativeMethod, req.nativeLevel); err != nil {
			h.fail(w, req, &exception{code: codeLogicalError, name: "LOGICAL_ERROR", text: err.Error(), status: http.StatusInternalServerError})
			return
		}
	}
	if req.encoding != "" && len(out) > 0 {
		if out, err = encode(out, req.encoding, req.zlibLevel); err != nil {
			h.fail(w, req, &exception{code: codeLogicalError, name: "LOGICAL_ERROR", text: err.Error(), status: http.StatusInternalServerError})
			return
		}
		hd.Set("Content-Encoding", req.encoding)
		hd.Add("Vary", "Accept-Encoding")
	}
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// fail answers with an exception, as the server does: its code in
// X-ClickHouse-Exception-Code and the text in the body, never compressed.
func (h *Handler) fail(w http.ResponseWriter, req *request, ex *exception) {
	id := ""
	if req != nil {
		id = req.queryID
		switch {
		case ex.refused != "":
			h.m.queries.WithLabelValues(resultRefused).Inc()
			h.m.refused.WithLabelValues(ex.refused).Inc()
			h.o.Logger.Info("clickhouse http: refused query", "query_id", id, "reason", ex.refused, "error", strings.TrimSpace(ex.body()))
		default:
			h.m.queries.WithLabelValues(resultError).Inc()
			h.o.Logger.Warn("clickhouse http: query failed", "query_id", id, "error", strings.TrimSpace(ex.body()))
		}
		w.Header().Set("X-ClickHouse-Query-Id", id)
	}
	hd := w.Header()
	hd.Set("X-ClickHouse-Exception-Code", strconv.Itoa(ex.code))
	hd.Set("Content-Type", "text/plain; charset=UTF-8")
	hd.Del("Content-Encoding")
	body := ex.body()
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(ex.status)
	io.WriteString(w, body)
}

// contentType is the Content-Type the server sends with a format.
func contentType(format string) string {
	f := strings.ToLower(format)
	switch {
	case strings.HasPrefix(f, "json") || f == "ndjson" || f == "jsonlines":
		return "application/json; charset=UTF-8"
	case strings.HasPrefix(f, "tabseparated") || strings.HasPrefix(f, "tsv"):
		return "text/tab-separated-values; charset=UTF-8"
	case strings.HasPrefix(f, "csv"):
		if strings.Contains(f, "withnames") {
			return "text/csv; charset=UTF-8; header=present"
		}
		return "text/csv; charset=UTF-8; header=absent"
	case f == "xml":
		return "application/xml; charset=UTF-8"
	case f == "native" || strings.HasPrefix(f, "rowbinary") || f == "parquet" || strings.HasPrefix(f, "arrow") ||
		f == "orc" || f == "avro" || f == "rawblob" || strings.HasPrefix(f, "protobuf") || f == "msgpack" || f == "bson" || f == "npy":
		return "application/octet-stream"
	}
	return "text/plain; charset=UTF-8"
}

func truthy(s string) bool { return s == "1" || strings.EqualFold(s, "true") }

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isIdentifier reports whether s is a bare ClickHouse identifier.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0) {
			return false
		}
	}
	return true
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
