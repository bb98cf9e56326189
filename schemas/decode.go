package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// bom is the UTF-8 byte order mark that editors on Windows put at the start
// of a file; Decode and Redact drop one at the start of the input.
const bom = "\xEF\xBB\xBF"

// MaxEventBytes is the largest event Decode accepts (1 MiB); a larger one is
// rejected as too_large before it is parsed, so one bad producer cannot make
// the collector hold huge messages.
const MaxEventBytes = 1 << 20

// The supported time range of the contract is [MinTime, MaxTime) in UTC:
// a well-formed timestamp outside it, in data or the envelope time, is
// rejected as out_of_range:<field>. ClickHouse would not fail on such a time
// but silently clamp it (DateTime64 keeps 1900-2299, so year 9999 was stored
// as 2299 and year 0001 as 1900), and the range is chosen so that everything
// the store does with a timestamp stays valid: DateTime, which toDateTime and
// the raw tables' TTL expressions (toDateTime(ts) + INTERVAL n DAY, n up to
// 3650) use, starts at 1970-01-01 and ends at 2106-02-07T06:28:15Z, and
// MaxTime plus 3650 days is still before that.
const (
	// MinTime is the earliest supported timestamp (inclusive), the start of
	// ClickHouse DateTime.
	MinTime = "1970-01-01T00:00:00Z"
	// MaxTime is the end of the supported range (exclusive): 3650 days
	// later is still inside ClickHouse DateTime.
	MaxTime = "2096-01-01T00:00:00Z"
)

// minTime and maxTime are MinTime and MaxTime as times.
var minTime, maxTime = mustTime(MinTime), mustTime(MaxTime)

func mustTime(s string) time.Time {
	t, ok := parseTime(s)
	if !ok {
		panic("schemas: bad time constant " + s)
	}
	return t
}

// inRange reports whether t is in [MinTime, MaxTime).
func inRange(t time.Time) bool { return !t.Before(minTime) && t.Before(maxTime) }

// Invalid says why an event was rejected; it is the only error Decode
// returns. Reason is a stable code for metrics, the DLQ header and the DLQ
// table (too_large, invalid_json, not_cloudevent, unknown_type,
// data_not_object, end_before_start, missing_field:<name>,
// wrong_type:<name>, bad_value:<name>, bad_timestamp:<name>,
// out_of_range:<name>, negative_duration:<name>; <name> is a data field of
// the contract or time, the envelope attribute); Detail is for people and
// may change, and is scrubbed (see Scrub) when the Invalid is made, so no
// consumer of it (the DLQ table and headers, replay's output, logs) gets an
// e-mail address or a phone number from the event.
type Invalid struct {
	Reason string
	Detail string
}

// Error returns "reason: detail".
func (e *Invalid) Error() string { return e.Reason + ": " + e.Detail }

func invalid(reason, format string, args ...any) *Invalid {
	d := format
	if len(args) > 0 {
		d = fmt.Sprintf(format, args...)
	}
	return &Invalid{Reason: reason, Detail: Scrub(d)}
}

// maxFields bounds the data fields of one event type (CallEnded has 14).
const maxFields = 16

// Decode parses and validates one CloudEvents 1.0 structured JSON event
// against the contract; it is the collector's gate between Kafka and
// ClickHouse. Every error is an *Invalid with a stable Reason. Unknown fields
// are ignored, a JSON null counts as missing, timestamps come back in UTC
// and within [MinTime, MaxTime), and phone/e-mail fields never reach the
// Event (the types have no place for them). Personal data elsewhere does
// not reach it either: free-text (String) fields are scrubbed (see Scrub),
// and an id (an ID field, the envelope id or source) that contains an
// e-mail address or an international phone number is replaced by its
// PIIToken, so equal ids stay equal. Text without '@' and digits, and ids
// without '@' and '+', cost no more than a scan of their bytes.
//
// The input is checked with json.Valid once and then walked without
// reflection: the envelope keys, then the data keys of the type's Spec.
// Names are matched exactly (CloudEvents attributes are lower case), the
// last of duplicate keys wins. One leading UTF-8 byte order mark is dropped
// (the first line of a file saved by a Windows editor); it counts towards
// MaxEventBytes.
func Decode(b []byte) (*Event, error) {
	if len(b) > MaxEventBytes {
		return nil, invalid("too_large", "event of %d bytes exceeds %d", len(b), MaxEventBytes)
	}
	b = bytes.TrimPrefix(b, []byte(bom))
	if !json.Valid(b) {
		return nil, invalid("invalid_json", "not valid JSON: %s", quote(string(b)))
	}
	// One copy of the input: every decoded string is a substring of it.
	src := string(b)
	i := skipWS(src, 0)
	if src[i] != '{' {
		return nil, invalid("not_cloudevent", "not a JSON object: %s", quote(src))
	}
	var specversion, id, source, typ, tm, data string
	for it := (object{s: src, i: i + 1}); it.next(); {
		switch it.key {
		case "specversion":
			specversion = it.val
		case "id":
			id = it.val
		case "source":
			source = it.val
		case "type":
			typ = it.val
		case "time":
			tm = it.val
		case "data":
			data = it.val
		}
	}
	if sv, ok := jsonString(specversion); !ok || sv != "1.0" {
		return nil, invalid("not_cloudevent", "specversion must be \"1.0\", got %s", quote(specversion))
	}
	ev := &Event{}
	var ok bool
	if ev.ID, ok = jsonString(id); !ok || ev.ID == "" {
		return nil, invalid("not_cloudevent", "id must be a non-empty string, got %s", quote(id))
	}
	if ev.Source, ok = jsonString(source); !ok || ev.Source == "" {
		return nil, invalid("not_cloudevent", "source must be a non-empty string, got %s", quote(source))
	}
	ev.ID, ev.Source = keyToken(ev.ID), keyToken(ev.Source)
	if ev.Type, ok = jsonString(typ); !ok || ev.Type == "" {
		return nil, invalid("not_cloudevent", "type must be a non-empty string, got %s", quote(typ))
	}
	if present(tm) {
		t, ok := timestamp(tm)
		if !ok {
			return nil, invalid("bad_timestamp:time", "time %s is not RFC 3339 with an offset", quote(tm))
		}
		if !inRange(t) {
			return nil, invalid("out_of_range:time", "time %s is outside the supported range [%s, %s)", quote(tm), MinTime, MaxTime)
		}
		ev.Time = t
	}
	spec, ok := SpecOf(ev.Type)
	if !ok {
		return nil, invalid("unknown_type", "unknown event type %s", quote(ev.Type))
	}
	if !present(data) {
		return nil, invalid("missing_field:data", "data is required")
	}
	if data[0] != '{' {
		return nil, invalid("data_not_object", "data must be a JSON object, got %s", quote(data))
	}
	d, err := spec.decode(data)
	if err != nil {
		return nil, err
	}
	ev.Data = d
	return ev, nil
}

// decode checks the data object against the Spec and fills a new Data.
func (s *Spec) decode(data string) (Data, *Invalid) {
	var raws [maxFields]string
	for it := (object{s: data, i: 1}); it.next(); {
		for j := range s.Fields {
			if s.Fields[j].Name == it.key {
				raws[j] = it.val
				break
			}
		}
	}
	d := s.new()
	for j := range s.Fields {
		f := &s.Fields[j]
		raw := raws[j]
		if !present(raw) {
			if f.Required {
				return nil, invalid("missing_field:"+f.Name, "%s is required", f.Name)
			}
			continue
		}
		if err := f.set(d, raw); err != nil {
			return nil, err
		}
	}
	for _, c := range s.RequiredIf {
		if s.strOf(d, c.When) == c.Is {
			if _, ok := s.timeOf(d, c.Field); !ok {
				return nil, invalid("missing_field:"+c.Field, "%s is required when %s is %s", c.Field, c.When, c.Is)
			}
		}
	}
	for _, o := range s.Orders {
		start, ok1 := s.timeOf(d, o.Start)
		end, ok2 := s.timeOf(d, o.End)
		if ok1 && ok2 && end.Before(start) {
			return nil, invalid("end_before_start", "%s %s is before %s %s",
				o.End, end.Format(time.RFC3339Nano), o.Start, start.Format(time.RFC3339Nano))
		}
	}
	return d, nil
}

// set checks one present raw JSON value against the field's kind and stores
// it in d.
func (f *Field) set(d Data, raw string) *Invalid {
	switch f.Kind {
	case String, Enum, ID:
		v, ok := jsonString(raw)
		if !ok {
			return invalid("wrong_type:"+f.Name, "%s must be a string, got %s", f.Name, quote(raw))
		}
		switch f.Kind {
		case Enum:
			if !contains(f.Values, v) {
				return invalid("bad_value:"+f.Name, "%s %s is not one of %s", f.Name, quote(raw), strings.Join(f.Values, "|"))
			}
		case String:
			v = Scrub(v)
		case ID:
			v = keyToken(v)
		}
		*f.dst(d).(*string) = v
	case Timestamp:
		t, ok := timestamp(raw)
		if !ok {
			return invalid("bad_timestamp:"+f.Name, "%s %s is not RFC 3339 with an offset", f.Name, quote(raw))
		}
		if !inRange(t) {
			return invalid("out_of_range:"+f.Name, "%s %s is outside the supported range [%s, %s)", f.Name, quote(raw), MinTime, MaxTime)
		}
		switch p := f.dst(d).(type) {
		case *time.Time:
			*p = t
		case **time.Time:
			*p = &t
		}
	case Duration, Number:
		if c := raw[0]; c != '-' && (c < '0' || c > '9') {
			return invalid("wrong_type:"+f.Name, "%s must be a number, got %s", f.Name, quote(raw))
		}
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return invalid("bad_value:"+f.Name, "%s %s is out of range", f.Name, quote(raw))
		}
		if f.Kind == Duration && n < 0 {
			return invalid("negative_duration:"+f.Name, "%s is %s seconds", f.Name, raw)
		}
		switch p := f.dst(d).(type) {
		case *float64:
			*p = n
		case **float64:
			*p = &n
		}
	case Bool:
		if raw != "true" && raw != "false" {
			return invalid("wrong_type:"+f.Name, "%s must be true or false, got %s", f.Name, quote(raw))
		}
		*f.dst(d).(*bool) = raw == "true"
	}
	return nil
}

// field returns the Field called name.
func (s *Spec) field(name string) *Field {
	for j := range s.Fields {
		if s.Fields[j].Name == name {
			return &s.Fields[j]
		}
	}
	panic("schemas: " + s.Type + " has no field " + name)
}

// strOf reads a string field of d.
func (s *Spec) strOf(d Data, name string) string { return *s.field(name).dst(d).(*string) }

// timeOf reads a timestamp field of d; false when an optional one is absent.
func (s *Spec) timeOf(d Data, name string) (time.Time, bool) {
	switch p := s.field(name).dst(d).(type) {
	case *time.Time:
		return *p, true
	case **time.Time:
		if *p != nil {
			return **p, true
		}
	}
	return time.Time{}, false
}

// object walks the members of a JSON object in s that json.Valid accepted;
// i starts after the opening brace.
type object struct {
	s        string
	i        int
	key, val string
}

func (o *object) next() bool {
	i := skipWS(o.s, o.i)
	if o.s[i] == ',' {
		i = skipWS(o.s, i+1)
	}
	if o.s[i] == '}' {
		return false
	}
	end := skipValue(o.s, i)
	o.key = o.s[i:end]
	if k, ok := jsonString(o.key); ok {
		o.key = k
	}
	i = skipWS(o.s, end)
	i = skipWS(o.s, i+1) // ':'
	end = skipValue(o.s, i)
	o.val = o.s[i:end]
	o.i = end
	return true
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value that starts at i.
func skipValue(s string, i int) int {
	switch s[i] {
	case '"':
		for i++; s[i] != '"'; i++ {
			if s[i] == '\\' {
				i++
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch s[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			case '"':
				i = skipValue(s, i) - 1
			}
		}
	}
	for i < len(s) && strings.IndexByte(",}] \t\n\r", s[i]) < 0 {
		i++
	}
	return i
}

// present reports whether a raw member is there and not JSON null.
func present(raw string) bool { return raw != "" && raw != "null" }

// jsonString decodes a raw JSON string; ok is false for any other value.
// Without escapes it returns a substring of raw (no allocation).
func jsonString(raw string) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	if strings.IndexByte(in, '\\') < 0 && utf8.ValidString(in) {
		return in, true
	}
	var v string
	if json.Unmarshal([]byte(raw), &v) != nil {
		return "", false
	}
	return v, true
}

// timestamp decodes a raw JSON string holding an RFC 3339 timestamp with an
// offset and returns it in UTC.
func timestamp(raw string) (time.Time, bool) {
	s, ok := jsonString(raw)
	if !ok {
		return time.Time{}, false
	}
	return parseTime(s)
}

// parseTime parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), the RFC 3339
// profile of the contract, without allocating. The fraction keeps up to
// nanoseconds.
func parseTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if s[i] == '.' {
		i++
		n := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if n++; n <= 9 {
				nsec = nsec*10 + int(s[i]-'0')
			}
		}
		if n == 0 || n > 9 {
			return time.Time{}, false
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	var offset int
	switch rest := s[i:]; {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	t = t.Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}, false // not writable as RFC 3339 in UTC
	}
	return t, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// quote scrubs, shortens to 80 bytes and quotes input for a Detail
// message. It scrubs before it cuts, so the cut cannot leave the first
// digits of a number or half an address that Scrub would no longer find.
func quote(s string) string {
	const max = 80
	s, more := scrubPrefix(s, max)
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s, more = s[:i], true
	}
	if more {
		s += "…"
	}
	return strconv.Quote(s)
}

// scrubPrefix returns Scrub of a prefix of s of at least n bytes, and
// whether that is less than all of s. The prefix ends after the first byte
// at or after n that Scrub's rules never look across (hard), so it scrubs
// exactly as in all of s, and a detail does not cost a scan of a 1 MiB
// event.
func scrubPrefix(s string, n int) (string, bool) {
	if len(s) > n {
		if k := strings.IndexAny(s[n:], hard); k >= 0 && n+k+1 < len(s) {
			return Scrub(s[:n+k+1]), true
		}
	}
	return Scrub(s), false
}

// hard are bytes that are in no address or number, nor glue one to a word:
// Scrub's result before such a byte does not depend on what follows it.
const hard = "\"',:;{}[]/<>=!?&#*|~^$`\t\n\r"
