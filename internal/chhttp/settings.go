package chhttp

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// What a URL parameter or a setting in a SETTINGS clause may be.
//
// The ClickHouse server treats every URL parameter it does not know as a
// setting; so does this handler, and it applies only the settings below.
// They change limits and output, never what a query may touch. Anything
// else is refused, because a setting can reach the file system
// (format_schema, format_template_*), change what is read
// (additional_result_filter) or lift the read-only mode (readonly=0).
type settingKind int

const (
	// settingText is applied as a string literal.
	settingText settingKind = iota
	// settingUint is a non-negative integer.
	settingUint
	// settingBool is 0/1/true/false.
	settingBool
	// settingSeconds, settingRows, settingBytes are limits capped by
	// Options (MaxExecutionTime, MaxResultRows, MaxResultBytes): a client
	// may lower them, not raise or lift them.
	settingSeconds
	settingRows
	settingBytes
	// settingFilters is additional_table_filters, a map from table to an
	// SQL condition; each condition goes through the guard's checks.
	settingFilters
	// settingReadonly accepts 1 and 2 (the endpoint is always read-only)
	// and refuses 0.
	settingReadonly
)

// allowedSettings are the settings a client may set (URL parameter or
// SETTINGS clause). limit is what the Grafana plugin sends when its row
// limit is on; max_execution_time what its query builder puts in a SETTINGS
// clause; additional_table_filters what its ad hoc filters use.
var allowedSettings = map[string]settingKind{
	"max_execution_time":       settingSeconds,
	"max_result_rows":          settingRows,
	"max_result_bytes":         settingBytes,
	"limit":                    settingUint,
	"offset":                   settingUint,
	"max_threads":              settingUint,
	"max_block_size":           settingUint,
	"join_use_nulls":           settingBool,
	"extremes":                 settingBool,
	"additional_table_filters": settingFilters,
	"session_timezone":         settingText,
	"date_time_output_format":  settingText,
	"output_format_json_quote_64bit_integers": settingBool,
	"output_format_json_quote_denormals":      settingBool,
	"output_format_json_quote_decimals":       settingBool,
	"output_format_decimal_trailing_zeros":    settingBool,
	"readonly":                                settingReadonly,
}

// transportParams are URL parameters of the HTTP interface itself, not
// settings: the handler reads those it implements and ignores the others
// (see the package documentation).
var transportParams = map[string]bool{
	"query": true, "database": true, "default_format": true, "user": true, "password": true,
	"query_id": true, "quota_key": true, "client_protocol_version": true,
	"compress": true, "decompress": true, "network_compression_method": true,
	"network_zstd_compression_level": true, "enable_http_compression": true,
	"http_zlib_compression_level": true, "wait_end_of_query": true, "buffer_size": true,
	"http_response_buffer_size": true, "send_progress_in_http_headers": true,
	"http_headers_progress_interval_ms": true, "cancel_http_readonly_queries_on_client_close": true,
	"http_wait_end_of_query": true, "session_id": true, "session_timeout": true,
	"session_check": true, "close_session": true, "stacktrace": true, "role": true,
}

// checkSetting validates one setting from a client (value as text: a URL
// parameter's value or a literal of a SETTINGS clause) and returns the
// literal to apply it with ("" for nothing to apply). A limit above its cap
// (or 0, no limit) is lowered to the cap when it comes from the URL, where
// drivers put it on their own (clickhouse-go sends max_execution_time as
// its context's deadline plus 5 s), and refused in a SETTINGS clause,
// where the guard cannot lower it.
func (h *Handler) checkSetting(name, value string, fromURL bool) (string, *exception) {
	kind, ok := allowedSettings[name]
	if !ok {
		return "", refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
			"cannot apply setting %q: this read-only endpoint lets a client set only %s", name, strings.Join(allowedSettingNames(), ", "))
	}
	v := value
	if len(v) >= 2 && v[0] == '\'' {
		if u, n, err := unquote(v); err == nil && n == len(v) {
			v = u
		}
	}
	bad := func(want string) (string, *exception) {
		return "", refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
			"cannot apply setting %s = %q: %s", name, value, want)
	}
	number := func() (float64, bool) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && f >= 0 && !math.IsInf(f, 0)
	}
	capped := func(limit float64, unit string) (string, *exception) {
		f, ok := number()
		if !ok {
			return bad("want a non-negative number")
		}
		if limit > 0 && (f == 0 || f > limit) {
			if fromURL {
				return strconv.FormatFloat(limit, 'f', -1, 64), nil
			}
			return bad("a SETTINGS clause may lower this endpoint's limit of " + strconv.FormatFloat(limit, 'f', -1, 64) + unit + ", not raise or lift it")
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	switch kind {
	case settingUint:
		f, ok := number()
		if !ok || f != math.Trunc(f) {
			return bad("want a non-negative integer")
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case settingBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "0", "false":
			return "0", nil
		case "1", "true":
			return "1", nil
		}
		return bad("want 0 or 1")
	case settingSeconds:
		return capped(h.o.MaxExecutionTime.Seconds(), " s")
	case settingRows:
		return capped(float64(h.o.MaxResultRows), " rows")
	case settingBytes:
		return capped(float64(h.o.MaxResultBytes), " bytes")
	case settingReadonly:
		switch strings.TrimSpace(v) {
		case "1", "2":
			return "", nil // the endpoint is read-only whatever the client asks
		}
		return bad("this endpoint is read-only")
	case settingFilters:
		if ex := h.checkFilters(v); ex != nil {
			return "", ex
		}
	}
	return sqlString(v), nil
}

// checkFilters checks the conditions of additional_table_filters, which
// the engine parses and runs as part of the query: a map literal
// {'table': 'condition', …} whose conditions go through the same checks as
// the query's own text.
func (h *Handler) checkFilters(v string) *exception {
	toks, err := lex(v)
	if err != nil || len(toks) < 2 || !toks[0].sym('{') || !toks[len(toks)-1].sym('}') {
		return refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
			"cannot apply additional_table_filters = %q: want a map literal {'table': 'condition', …}", v)
	}
	for i, t := range toks {
		if t.kind != tokString || i == 0 || !toks[i-1].sym(':') {
			continue
		}
		ct, err := lex(t.val)
		if err != nil {
			return refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
				"cannot read the condition %q of additional_table_filters: %v", t.val, err)
		}
		s, err := shape(ct)
		if err != nil {
			return refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
				"cannot read the condition %q of additional_table_filters: %v", t.val, err)
		}
		if ex := h.checkShape(s, t.val, nil); ex != nil {
			return ex
		}
	}
	return nil
}

func allowedSettingNames() []string {
	names := make([]string, 0, len(allowedSettings))
	for n := range allowedSettings {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// sqlString quotes s as a ClickHouse string literal.
func sqlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
