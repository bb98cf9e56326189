package chhttp

import (
	"context"
	"net/http"
	"strings"
)

// The guard lets through only queries that read, in three steps that all
// use the engine's own parser:
//
//  1. SELECT formatQuerySingleLine('<query>') parses the query as a string
//     literal, so nothing in it runs: a syntax error or a second statement
//     fails here. Its output, the query re-printed without comments, is
//     what the next steps read and what finally runs.
//  2. The tokens of that text give every call (name followed by a
//     parenthesis), the SETTINGS clauses, the {name:Type} parameters, the
//     FORMAT clause and INTO OUTFILE.
//  3. EXPLAIN AST of that text gives the statement kind and every function
//     of the parser's tree; the tree's SETTINGS clauses and FORMAT must be
//     those step 2 found, else the query is refused as unverifiable.
//
// Then the query runs with the engine's readonly setting in a query-level
// SETTINGS clause the guard appends: readonly=1 (no writes, no table
// functions that reach files or the network) when the client set no
// settings in the query, readonly=2 (no writes) when it did, since
// readonly=1 also forbids changing settings. No session setting changes.

// allowedStatements maps the root of EXPLAIN AST to what may run.
var allowedStatements = map[string]bool{
	"SelectWithUnionQuery":       true, // SELECT, WITH … SELECT, UNION, INTERSECT, EXCEPT
	"SelectIntersectExceptQuery": true,
	"ShowTables":                 true, // SHOW TABLES, DATABASES, DICTIONARIES, SETTINGS
	"ShowColumns":                true, // SHOW COLUMNS, SHOW INDEX
	"ShowFunctions":              true,
	"ShowEngineQuery":            true,
	"ShowCreateTableQuery":       true,
	"ShowCreateViewQuery":        true,
	"ShowCreateDatabaseQuery":    true,
	"DescribeQuery":              true, // DESCRIBE TABLE t, DESCRIBE (SELECT …)
	"ExistsTableQuery":           true,
	"ExistsDatabaseQuery":        true,
	"ExistsViewQuery":            true,
	"ExistsDictionaryQuery":      true,
}

// allowedTableFunctions are the table functions a query may use: they
// make rows from their arguments and touch nothing else, and the engine
// runs them under readonly=1 (it refuses zeros and format there). Every
// other table function the engine knows (file, url, s3, remote, mysql,
// executable, input, dictionary, merge, view, …) is refused wherever its
// name is called, except format, which is also a string function and as a
// table function only parses its argument (the engine's readonly=1 refuses
// that use).
var allowedTableFunctions = map[string]bool{
	"numbers": true, "numbers_mt": true, "values": true, "sqlstandardvalues": true,
	"generateseries": true, "generate_series": true, "format": true,
}

// deniedFunctions are ordinary functions that read files or call out:
// file('path') reads a file; the ai* functions call a language model over
// the network; catboostEvaluate and naiveBayesClassifier load models from
// disk; the introspection functions read the binary.
var deniedFunctions = map[string]bool{
	"file": true, "catboostevaluate": true, "naivebayesclassifier": true,
	"aiclassify": true, "aiextract": true, "aigenerate": true, "aitranslate": true,
	"addresstoline": true, "addresstolinewithinlines": true, "addresstosymbol": true, "demangle": true,
}

// checkFunction refuses a function or table function by name.
func (h *Handler) checkFunction(name, query string) *exception {
	n := strings.ToLower(name)
	if deniedFunctions[n] || h.tableFunctions[n] && !allowedTableFunctions[n] {
		return refusal("function", codeAccessDenied, "ACCESS_DENIED", http.StatusForbidden,
			"cannot run %s(…) through this read-only endpoint: it reads files or reaches the network (allowed table functions: numbers, values, generateSeries) (query %s)", name, quoteQuery(query))
	}
	return nil
}

// checkShape applies the checks of the tokens: functions, INTO OUTFILE,
// settings and, when params is not nil, that every parameter has a value.
func (h *Handler) checkShape(s queryShape, query string, params map[string]string) *exception {
	for _, f := range s.functions {
		if ex := h.checkFunction(f, query); ex != nil {
			return ex
		}
	}
	if s.outfile {
		return refusal("outfile", codeReadonly, "READONLY", http.StatusForbidden,
			"cannot write a result INTO OUTFILE through this read-only endpoint (query %s)", quoteQuery(query))
	}
	for _, c := range s.settings {
		for i, n := range c.names {
			if _, ex := h.checkSetting(n, c.values[i], false); ex != nil {
				return ex
			}
			if n == "readonly" {
				// readonly inside the query would fail under the endpoint's own.
				return refusal("setting", codeSettingConstraint, "SETTING_CONSTRAINT_VIOLATION", http.StatusForbidden,
					"cannot set readonly in the query: this endpoint is read-only (query %s)", quoteQuery(query))
			}
		}
	}
	if params != nil {
		for _, p := range s.parameters {
			if _, ok := params[p]; !ok {
				return refusal("parameter", codeUnknownQueryParameter, "UNKNOWN_QUERY_PARAMETER", http.StatusBadRequest,
					"Substitution `%s` is not set: pass it as the URL parameter param_%s (query %s)", p, p, quoteQuery(query))
			}
		}
	}
	return nil
}

// plan is a checked query, ready to run.
type plan struct {
	sql    string // the formatted query with FORMAT and the endpoint's settings
	format string // output format, the engine's spelling
}

// prepare checks req's query and builds what runs.
func (h *Handler) prepare(ctx context.Context, req *request) (*plan, *exception) {
	query := strings.TrimSpace(req.query)
	if query == "" {
		return nil, refusal("request", codeSyntaxError, "SYNTAX_ERROR", http.StatusBadRequest, "Empty query")
	}

	// 1. The engine's formatter, on the query as a string literal.
	out, err := h.r.QueryRaw(ctx, "SELECT formatQuerySingleLine("+sqlString(query)+")", nil, "RawBLOB")
	if err != nil {
		ex := engineException(err)
		if strings.Contains(ex.text, "Multi-statements are not allowed") {
			return nil, refusal("multi_statement", codeSyntaxError, "SYNTAX_ERROR", http.StatusBadRequest,
				"cannot run several statements in one request: this endpoint runs exactly one (query %s)", quoteQuery(query))
		}
		return nil, ex
	}
	text := strings.TrimSpace(string(out))

	// 2. Its tokens.
	toks, err := lex(text)
	if err != nil {
		return nil, unverifiable(query, err.Error())
	}
	s, err := shape(toks)
	if err != nil {
		return nil, unverifiable(query, err.Error())
	}
	for _, t := range toks {
		if t.sym(';') { // the formatter prints one statement, without a semicolon
			return nil, unverifiable(query, "a semicolon in the formatted query")
		}
	}
	if ex := h.checkShape(s, query, req.params); ex != nil {
		return nil, ex
	}

	// 3. The parser's tree.
	out, err = h.r.QueryRaw(ctx, "EXPLAIN AST "+text, req.params, "TSVRaw")
	if err != nil {
		return nil, engineException(err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	root, _, _ := strings.Cut(lines[0], " ")
	if !allowedStatements[root] {
		verb := "this statement"
		if len(toks) > 0 && toks[0].kind == tokWord {
			verb = strings.ToUpper(toks[0].text)
		}
		return nil, refusal("statement", codeReadonly, "READONLY", http.StatusForbidden,
			"cannot run %s through this read-only endpoint: it runs only SELECT, SHOW, DESCRIBE and EXISTS (query %s)", verb, quoteQuery(query))
	}
	sets := 0
	var topIdents []string
	for _, line := range lines {
		body := strings.TrimLeft(line, " ")
		depth := len(line) - len(body)
		kind, rest, _ := strings.Cut(body, " ")
		switch kind {
		case "Function":
			name, _, _ := strings.Cut(rest, " ")
			if ex := h.checkFunction(name, query); ex != nil {
				return nil, ex
			}
		case "Set":
			sets++
		case "Literal":
			if depth == 1 { // a query's own literal child is its INTO OUTFILE
				return nil, refusal("outfile", codeReadonly, "READONLY", http.StatusForbidden,
					"cannot write a result INTO OUTFILE through this read-only endpoint (query %s)", quoteQuery(query))
			}
		case "Identifier":
			if depth == 1 {
				name, _, _ := strings.Cut(rest, " ")
				topIdents = append(topIdents, name)
			}
		}
	}
	if sets != len(s.settings) {
		return nil, unverifiable(query, "its SETTINGS clauses")
	}
	if s.format != "" && !contains(topIdents, s.format) ||
		s.format == "" && strings.HasPrefix(root, "Select") && len(topIdents) > 0 {
		return nil, unverifiable(query, "its FORMAT clause")
	}

	// The output format: the query's FORMAT, else default_format, else
	// TabSeparated, as on the server.
	format := s.format
	if format == "" {
		format = req.format
	}
	if format == "" {
		format = "TabSeparated"
	}
	canonical, ok := h.formats[strings.ToLower(format)]
	if !ok {
		return nil, refusal("request", codeUnknownFormat, "UNKNOWN_FORMAT", http.StatusNotFound,
			"cannot write the result as %q: the engine has no such output format", format)
	}

	// The endpoint's settings, appended as the query-level clause: the
	// client's URL settings, the limits, readonly last.
	var last *settingsClause
	if n := len(s.settings); s.format != "" && n > 0 && s.settings[n-1].start == s.formatEnd {
		last = &s.settings[n-1]
	}
	var set []string
	seen := map[string]bool{}
	add := func(name, literal string) {
		if seen[name] || last != nil && contains(last.names, name) {
			return
		}
		seen[name] = true
		set = append(set, name+" = "+literal)
	}
	for _, st := range req.settings {
		add(st.name, st.literal)
	}
	if h.o.MaxExecutionTime > 0 {
		add("max_execution_time", formatFloat(h.o.MaxExecutionTime.Seconds()))
	}
	if h.o.MaxResultRows > 0 {
		add("max_result_rows", formatFloat(float64(h.o.MaxResultRows)))
	}
	if h.o.MaxResultBytes > 0 {
		add("max_result_bytes", formatFloat(float64(h.o.MaxResultBytes)))
	}
	if len(s.settings) == 0 {
		add("readonly", "1")
	} else {
		add("readonly", "2")
	}
	sql := text
	switch {
	case last != nil:
		sql += ", " + strings.Join(set, ", ")
	case s.format != "":
		sql += " SETTINGS " + strings.Join(set, ", ")
	default:
		sql += " FORMAT " + canonical + " SETTINGS " + strings.Join(set, ", ")
	}
	return &plan{sql: sql, format: canonical}, nil
}

// unverifiable refuses a query the guard could not read with certainty.
func unverifiable(query, what string) *exception {
	return refusal("unverifiable", codeReadonly, "READONLY", http.StatusForbidden,
		"cannot verify that the query only reads (%s): refused (query %s)", what, quoteQuery(query))
}

// quoteQuery quotes a query for an error message, shortened.
func quoteQuery(q string) string {
	const max = 200
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > max {
		q = q[:max] + "…"
	}
	return `"` + strings.ReplaceAll(q, `"`, `\"`) + `"`
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
