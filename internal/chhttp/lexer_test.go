package chhttp

import (
	"reflect"
	"testing"
)

// The tokenizer reads what the guard needs from a formatted query; words
// inside strings, quoted identifiers and comments are not calls, clauses
// or parameters.
func TestShapeOfFormattedQueries(t *testing.T) {
	for _, c := range []struct {
		sql        string
		functions  []string
		settings   [][]string // names per clause
		values     [][]string
		parameters []string
		format     string
		outfile    bool
	}{
		{sql: "SELECT count() FROM t WHERE x = {x:UInt8} AND y IN {ys:Array(String)}",
			functions: []string{"count", "array"}, parameters: []string{"x", "ys"}}, // types and keywords before "(" count too
		{sql: "SELECT `file`('/etc/passwd'), \"URL\"(1), FILE (2) FROM numbers(3)",
			functions: []string{"file", "url", "file", "numbers"}},
		{sql: "SELECT 'file(1)', 'SETTINGS a = 1', `x SETTINGS`, $$url(2)$$ -- file(3)\n /* remote(4) /* nested */ */",
			functions: nil},
		{sql: "SELECT 1 SETTINGS max_threads = 2, additional_table_filters = {'t':'a = \\'x\\''} FORMAT JSON SETTINGS limit = -1",
			settings: [][]string{{"max_threads", "additional_table_filters"}, {"limit"}},
			values:   [][]string{{"2", `{'t':'a = \'x\''}`}, {"-1"}}, format: "JSON"},
		{sql: "SELECT 1 AS FORMAT", functions: nil},
		{sql: "SELECT FORMAT FROM t", functions: nil},
		{sql: "SELECT 1 INTO OUTFILE 'x' FORMAT TSV", format: "TSV", outfile: true},
		{sql: "SELECT * FROM (SELECT 1 SETTINGS readonly = 0)", functions: []string{"from"},
			settings: [][]string{{"readonly"}}, values: [][]string{{"0"}}},
		{sql: "SHOW TABLES FROM system LIKE 'a%' FORMAT JSON SETTINGS max_threads = 1",
			settings: [][]string{{"max_threads"}}, values: [][]string{{"1"}}, format: "JSON"},
	} {
		toks, err := lex(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		s, err := shape(toks)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		var names, values [][]string
		for _, cl := range s.settings {
			names = append(names, cl.names)
			values = append(values, cl.values)
		}
		if !reflect.DeepEqual(s.functions, c.functions) || !reflect.DeepEqual(names, c.settings) || !reflect.DeepEqual(values, c.values) ||
			!reflect.DeepEqual(s.parameters, c.parameters) || s.format != c.format || s.outfile != c.outfile {
			t.Errorf("%s:\n got functions %q settings %q %q parameters %q format %q outfile %v\nwant functions %q settings %q %q parameters %q format %q outfile %v",
				c.sql, s.functions, names, values, s.parameters, s.format, s.outfile,
				c.functions, c.settings, c.values, c.parameters, c.format, c.outfile)
		}
	}
}

func TestLexRefusesWhatItCannotRead(t *testing.T) {
	for _, sql := range []string{"SELECT 'open", "SELECT `open", "SELECT /* open", "SELECT $x$ open"} {
		if _, err := lex(sql); err == nil {
			t.Errorf("%s: no error", sql)
		}
	}
	if toks, err := lex("SELECT (1"); err == nil {
		if _, err := shape(toks); err == nil {
			t.Error("unbalanced brackets: no error")
		}
	}
}

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{
		`'a\'b'`:     "a'b",
		`'a''b'`:     "a'b",
		`'\x41\n\t'`: "A\n\t",
		"`we``ird`":  "we`ird",
		`"x\\y"`:     `x\y`,
	} {
		got, n, err := unquote(in)
		if err != nil || got != want || n != len(in) {
			t.Errorf("unquote(%s) = %q, %d, %v; want %q", in, got, n, err, want)
		}
	}
}

func TestPickEncoding(t *testing.T) {
	for accept, want := range map[string]string{
		"":                      "",
		"gzip":                  "gzip",
		"br;q=1.0, gzip;q=0.8":  "br",
		"gzip;q=0, deflate":     "deflate",
		"identity, *":           "",
		" ZSTD , gzip":          "zstd",
		"compress, lz4":         "lz4",
		"x-gzip, gzip;q=0.5":    "gzip",
		"deflate;q=0.000, gzip": "gzip",
	} {
		if got := pickEncoding(accept); got != want {
			t.Errorf("pickEncoding(%q) = %q, want %q", accept, got, want)
		}
	}
}
