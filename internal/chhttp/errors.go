package chhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// ClickHouse error codes the handler answers with (src/Common/ErrorCodes.cpp).
const (
	codeUnsupportedMethod      = 1
	codeNotImplemented         = 48
	codeSyntaxError            = 62
	codeUnknownFormat          = 73
	codeUnknownSetting         = 115
	codeReadonly               = 164
	codeDatabaseAccessDenied   = 291
	codeQueryIsTooLarge        = 393
	codeQueryWasCancelled      = 394
	codeSettingConstraint      = 452
	codeUnknownQueryParameter  = 456
	codeBadQueryParameter      = 457
	codeAccessDenied           = 497
	codeAuthenticationFailed   = 516
	codeCannotDecompress       = 271
	codeUnknownCompression     = 275
	codeLogicalError           = 49
	codeIncorrectData          = 117
	codeUnknownTable           = 60
	codeUnknownFunction        = 46
	codeUnknownIdentifier      = 47
	codeUnknownDatabase        = 81
	codeNoSuchColumnInTable    = 16
	codeUnknownType            = 50
	codeIllegalTypeOfArgument  = 43
	codeTypeMismatch           = 53
	codeBadArguments           = 36
	codeNumberOfArgsDontMatch  = 42
	codeCannotParseText        = 6
	codeTooManySimultaneous    = 202
	codeCannotConvertType      = 70
	codeCannotParseDateTime    = 41
	codeUnknownAggregateFunc   = 63
	codeUnknownElementInConfig = 137
)

// exception is an error the handler answers with, in ClickHouse's form: the
// X-ClickHouse-Exception-Code header and a body
// "Code: N. DB::Exception: message. (NAME)", which clickhouse-go turns into
// a *clickhouse.Exception.
type exception struct {
	code   int
	name   string // symbolic name, e.g. READONLY; "" when the text has it
	text   string // the message after "DB::Exception: "
	status int    // HTTP status
	// refused names the guard's reason when the request was refused (a
	// metrics label); "" for the engine's own errors.
	refused string
}

func (e *exception) Error() string { return e.body() }

// body is the response body: one line, as the ClickHouse server writes it.
func (e *exception) body() string {
	b := "Code: " + strconv.Itoa(e.code) + ". DB::Exception: " + e.text
	if e.name != "" {
		b += ". (" + e.name + ")"
	}
	return b + "\n"
}

// refusal is the guard turning a request down: what could not be done,
// why, and the offending input quoted.
func refusal(reason string, code int, name string, status int, format string, args ...any) *exception {
	return &exception{code: code, name: name, text: fmt.Sprintf(format, args...), status: status, refused: reason}
}

var (
	// engineErrRe matches the text of an engine error: "Code: N. DB::Exception: …".
	engineErrRe = regexp.MustCompile(`^Code: (\d+)\. DB::Exception: `)
	// scopeRe is the "In scope SELECT formatQuerySingleLine('…')" the
	// engine adds to a syntax error found while formatting a query; the
	// position it reports is already the client's query's.
	scopeRe = regexp.MustCompile(`(?s): In scope SELECT formatQuerySingleLine\(.*\)\. \(`)
)

// engineException turns an error of the engine into the exception the
// client sees. chDB sometimes wraps a server exception in another with the
// same code ("Code: 164. DB::Exception: Code: 164. DB::Exception: … (version
// …). (READONLY)"): the inner one is kept, as the server would send it.
func engineException(err error) *exception {
	var ex *exception
	if errors.As(err, &ex) {
		return ex
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &exception{code: codeQueryWasCancelled, name: "QUERY_WAS_CANCELLED", text: "the request ended before the query ran: " + err.Error(), status: http.StatusServiceUnavailable}
	}
	msg := strings.TrimSpace(err.Error())
	m := engineErrRe.FindStringSubmatch(msg)
	if m == nil {
		return &exception{code: codeLogicalError, name: "LOGICAL_ERROR", text: "cannot run the query on the embedded ClickHouse: " + msg, status: http.StatusInternalServerError}
	}
	code, _ := strconv.Atoi(m[1])
	text := msg[len(m[0]):]
	if inner := engineErrRe.FindStringSubmatch(text); inner != nil && inner[1] == m[1] {
		text = text[len(inner[0]):]
		if i := strings.LastIndex(text, ". ("); i > 0 && strings.HasSuffix(text, ")") {
			text = text[:i]
		}
	}
	text = scopeRe.ReplaceAllString(text, ". (")
	return &exception{code: code, text: text, status: statusOf(code)}
}

// statusOf maps an error code to the HTTP status the ClickHouse server
// answers it with (HTTPHandler's exceptionCodeToHTTPStatus), closely enough
// for clients, which read the code.
func statusOf(code int) int {
	switch code {
	case codeAuthenticationFailed:
		return http.StatusUnauthorized
	case codeReadonly, codeAccessDenied, codeDatabaseAccessDenied, codeSettingConstraint:
		return http.StatusForbidden
	case codeSyntaxError, codeCannotParseText, codeCannotParseDateTime, codeUnknownSetting,
		codeUnknownQueryParameter, codeBadQueryParameter, codeIllegalTypeOfArgument,
		codeTypeMismatch, codeBadArguments, codeNumberOfArgsDontMatch, codeCannotConvertType,
		codeIncorrectData, codeUnknownCompression, codeCannotDecompress:
		return http.StatusBadRequest
	case codeUnknownTable, codeUnknownFunction, codeUnknownIdentifier, codeUnknownDatabase,
		codeNoSuchColumnInTable, codeUnknownType, codeUnknownFormat, codeUnknownAggregateFunc,
		codeUnknownElementInConfig:
		return http.StatusNotFound
	case codeQueryIsTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeUnsupportedMethod:
		return http.StatusMethodNotAllowed
	case codeNotImplemented:
		return http.StatusNotImplemented
	case codeTooManySimultaneous, codeQueryWasCancelled:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
