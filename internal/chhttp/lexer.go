package chhttp

import (
	"fmt"
	"strconv"
	"strings"
)

// The guard reads two things the engine gives it: the query re-printed by
// ClickHouse's own formatter (formatQuerySingleLine) and the parser's tree
// (EXPLAIN AST). The tree names every function and the statement kind but
// prints a SETTINGS clause as a bare "Set"; the setting names, the query
// parameters and the FORMAT clause are read from the formatted text with
// the tokenizer below, a subset of ClickHouse's lexer
// (src/Parsers/Lexer.cpp) that is exact for what the formatter prints.

type tokenKind int

const (
	tokWord        tokenKind = iota // bare word: keyword or identifier
	tokQuotedIdent                  // `x` or "x"
	tokString                       // 'x' or $$x$$
	tokNumber
	tokSymbol // one character of punctuation or an operator
)

// token is one lexeme; val is the unquoted value of a quoted identifier or
// string, the text otherwise.
type token struct {
	kind tokenKind
	text string
	val  string
}

// ident reports whether t names something (a bare or quoted identifier).
func (t token) ident() bool { return t.kind == tokWord || t.kind == tokQuotedIdent }

// is reports whether t is the bare word w (keywords are case-insensitive).
func (t token) is(w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// sym reports whether t is the punctuation c.
func (t token) sym(c byte) bool { return t.kind == tokSymbol && len(t.text) == 1 && t.text[0] == c }

// lex splits s into tokens, dropping white space and comments.
func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-', c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			depth, j := 0, i
			for j < len(s) {
				if strings.HasPrefix(s[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(s[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			if depth != 0 {
				return nil, fmt.Errorf("unterminated comment at %d", i)
			}
			i = j
		case c == '\'' || c == '"' || c == '`':
			val, n, err := unquote(s[i:])
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			kind := tokQuotedIdent
			if c == '\'' {
				kind = tokString
			}
			out = append(out, token{kind: kind, text: s[i : i+n], val: val})
			i += n
		case c == '$' && heredocTag(s[i:]) != "":
			tag := heredocTag(s[i:])
			end := strings.Index(s[i+len(tag):], tag)
			if end < 0 {
				return nil, fmt.Errorf("unterminated heredoc at %d", i)
			}
			n := len(tag) + end + len(tag)
			out = append(out, token{kind: tokString, text: s[i : i+n], val: s[i+len(tag) : i+len(tag)+end]})
			i += n
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			j := i + 1
			for j < len(s) {
				d := s[j]
				if isWordByte(d) || d == '.' {
					j++
				} else if (d == '+' || d == '-') && strings.ContainsRune("eEpP", rune(s[j-1])) {
					j++
				} else {
					break
				}
			}
			out = append(out, token{kind: tokNumber, text: s[i:j], val: s[i:j]})
			i = j
		case isWordByte(c):
			j := i + 1
			for j < len(s) && (isWordByte(s[j]) || s[j] == '$') {
				j++
			}
			out = append(out, token{kind: tokWord, text: s[i:j], val: s[i:j]})
			i = j
		default:
			out = append(out, token{kind: tokSymbol, text: s[i : i+1], val: s[i : i+1]})
			i++
		}
	}
	return out, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordByte: ASCII letters, digits, underscore and any byte of a UTF-8
// sequence, as in ClickHouse's bare identifiers.
func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c >= 0x80
}

// heredocTag returns "$tag$" when s starts a heredoc string, else "".
func heredocTag(s string) string {
	for j := 1; j < len(s); j++ {
		if s[j] == '$' {
			return s[:j+1]
		}
		if !isWordByte(s[j]) {
			return ""
		}
	}
	return ""
}

// unquote reads the quoted string or identifier that s starts with and
// returns its value and length: a doubled quote is the quote, a backslash
// escapes as in ClickHouse (\n, \t, \xHH, \\, \', …).
func unquote(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i++
				continue
			}
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'a':
				b.WriteByte('\a')
			case 'v':
				b.WriteByte('\v')
			case 'e':
				b.WriteByte(0x1b)
			case 'x':
				if i+2 < len(s) {
					if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
						b.WriteByte(byte(v))
						i += 2
						continue
					}
				}
				b.WriteString(`\x`)
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted text %.40q", s)
}

// settingsClause is one SETTINGS clause of a query: its name = value pairs
// (values as the formatter printed them) and where it lies in the tokens.
type settingsClause struct {
	names, values []string
	start, end    int // tokens [start, end) from the SETTINGS keyword
	depth         int // bracket depth: 0 is the outermost query
}

// queryShape is what the guard reads from the tokens of a formatted query.
type queryShape struct {
	// functions are the lower-cased names of every call: name followed by
	// an opening parenthesis (functions, table functions, also types and
	// keywords, which match nothing the guard refuses).
	functions []string
	settings  []settingsClause
	// parameters are the names of {name:Type} substitutions.
	parameters []string
	// format is the FORMAT clause's name, "" when absent; formatEnd is the
	// index of the token after it.
	format    string
	formatEnd int
	// outfile: the query writes its result to a file (INTO OUTFILE).
	outfile bool
}

// shape reads a formatted query's tokens.
func shape(toks []token) (queryShape, error) {
	var q queryShape
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return token{kind: tokSymbol}
		}
		switch {
		case t.sym('(') || t.sym('[') || t.sym('{'):
			if t.sym('{') && next(1).ident() && next(2).sym(':') {
				q.parameters = append(q.parameters, next(1).val)
			}
			depth++
		case t.sym(')') || t.sym(']') || t.sym('}'):
			depth--
			if depth < 0 {
				return q, fmt.Errorf("unbalanced %q at token %d", t.text, i)
			}
		case t.ident() && next(1).sym('('):
			q.functions = append(q.functions, strings.ToLower(t.val))
		case t.is("INTO") && next(1).is("OUTFILE"):
			q.outfile = true
		case t.is("SETTINGS") && next(1).ident() && next(2).sym('='):
			c, err := readSettings(toks, i, depth)
			if err != nil {
				return q, err
			}
			q.settings = append(q.settings, c)
			i = c.end - 1
		case depth == 0 && t.is("FORMAT") && next(1).ident():
			// FORMAT ends a query; only a SETTINGS clause may follow it.
			end := i + 2
			if end == len(toks) || toks[end].is("SETTINGS") {
				q.format, q.formatEnd = next(1).val, end
			}
		}
	}
	if depth != 0 {
		return q, fmt.Errorf("unbalanced brackets")
	}
	return q, nil
}

// readSettings reads the clause whose SETTINGS keyword is toks[at]:
// name = value pairs separated by commas, a value being a signed literal
// or a bracketed literal (array, tuple, map).
func readSettings(toks []token, at, depth int) (settingsClause, error) {
	c := settingsClause{start: at, depth: depth}
	i := at + 1
	for {
		if i+1 >= len(toks) || !toks[i].ident() || !toks[i+1].sym('=') {
			return c, fmt.Errorf("cannot read the SETTINGS clause at token %d", at)
		}
		name := toks[i].val
		j := i + 2
		if j >= len(toks) {
			return c, fmt.Errorf("setting %q has no value", name)
		}
		if toks[j].sym('-') || toks[j].sym('+') {
			j++
		}
		if j >= len(toks) {
			return c, fmt.Errorf("setting %q has no value", name)
		}
		if toks[j].sym('(') || toks[j].sym('[') || toks[j].sym('{') {
			d := 0
			for ; j < len(toks); j++ {
				if toks[j].sym('(') || toks[j].sym('[') || toks[j].sym('{') {
					d++
				} else if toks[j].sym(')') || toks[j].sym(']') || toks[j].sym('}') {
					d--
					if d == 0 {
						break
					}
				}
			}
			if d != 0 {
				return c, fmt.Errorf("setting %q has an unbalanced value", name)
			}
		}
		j++
		var v strings.Builder
		for _, t := range toks[i+2 : j] {
			v.WriteString(t.text)
		}
		c.names = append(c.names, name)
		c.values = append(c.values, v.String())
		if j+2 < len(toks) && toks[j].sym(',') && toks[j+1].ident() && toks[j+2].sym('=') {
			i = j + 1
			continue
		}
		c.end = j
		return c, nil
	}
}
