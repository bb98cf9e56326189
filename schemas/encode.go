package schemas

import (
	"encoding/json"
	"regexp"
	"strconv"
	"time"
)

// Encode writes e as CloudEvents 1.0 structured JSON with the data field names
// of the contract. Timestamps are RFC 3339 UTC with milliseconds; optional
// fields are omitted when empty. The simulator and tests produce events with it.
func Encode(e *Event) ([]byte, error) {
	spec, ok := SpecOf(e.Data.EventType())
	if !ok {
		return nil, &Invalid{Reason: "unknown_type", Detail: e.Data.EventType()}
	}
	info, _ := Info(spec.Type)
	vals := e.Data.Values(make([]any, 0, len(info.Columns)))
	b := make([]byte, 0, 256)
	b = append(b, `{"specversion":"1.0","id":`...)
	b = strconv.AppendQuote(b, e.ID)
	b = append(b, `,"source":`...)
	b = strconv.AppendQuote(b, e.Source)
	b = append(b, `,"type":`...)
	b = strconv.AppendQuote(b, spec.Type)
	if !e.Time.IsZero() {
		b = append(b, `,"time":"`...)
		b = e.Time.UTC().AppendFormat(b, timeLayout)
		b = append(b, '"')
	}
	b = append(b, `,"data":{`...)
	first := true
	for i, col := range info.Columns {
		f := fieldOf(spec, col)
		var enc []byte
		switch x := vals[i].(type) {
		case string:
			if x == "" {
				continue
			}
			enc, _ = json.Marshal(x)
		case time.Time:
			enc = x.UTC().AppendFormat([]byte{'"'}, timeLayout)
			enc = append(enc, '"')
		case *time.Time:
			if x == nil {
				continue
			}
			enc = x.UTC().AppendFormat([]byte{'"'}, timeLayout)
			enc = append(enc, '"')
		case float64:
			if x == 0 && !f.Required {
				continue
			}
			enc = strconv.AppendFloat(nil, x, 'f', -1, 64)
		case *float64:
			if x == nil {
				continue
			}
			enc = strconv.AppendFloat(nil, *x, 'f', -1, 64)
		case bool:
			if !x {
				continue
			}
			enc = []byte("true")
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendQuote(b, col)
		b = append(b, ':')
		b = append(b, enc...)
	}
	b = append(b, "}}"...)
	return b, nil
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func fieldOf(s *Spec, name string) Field {
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return Field{Name: name}
}

var (
	emailLike = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	phoneLike = regexp.MustCompile(`\+?[0-9][0-9 ()-]{5,}[0-9]`)
)

// Redact removes phone numbers and e-mail addresses from an event before it
// is stored in the DLQ table (the DLQ topic keeps the original bytes): the
// PII fields are dropped at any depth of a JSON object; text that is not
// JSON has e-mail-like and phone-like runs masked.
func Redact(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) == nil {
		if m, ok := v.(map[string]any); ok {
			if !dropPII(m) {
				return b
			}
			out, err := json.Marshal(m)
			if err == nil {
				return out
			}
		}
	}
	b = emailLike.ReplaceAll(b, []byte("***"))
	return phoneLike.ReplaceAllFunc(b, func(m []byte) []byte {
		digits := 0
		for _, c := range m {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits >= 7 {
			return []byte("***")
		}
		return m
	})
}

// dropPII deletes PII keys from m and nested objects; it reports whether
// anything was removed.
func dropPII(m map[string]any) bool {
	changed := false
	for k, v := range m {
		for _, p := range PIIFields {
			if k == p {
				delete(m, k)
				changed = true
			}
		}
		switch x := v.(type) {
		case map[string]any:
			changed = dropPII(x) || changed
		case []any:
			for _, e := range x {
				if mm, ok := e.(map[string]any); ok {
					changed = dropPII(mm) || changed
				}
			}
		}
	}
	return changed
}
