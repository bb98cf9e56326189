package schemas

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Encode writes e as a CloudEvents 1.0 structured JSON event of the
// contract, the inverse of Decode: the simulator and the tests produce
// events with it, so producers and the collector share one definition.
// The type is e.Data's type; data fields use the contract's names in the
// contract's order; timestamps are RFC 3339 UTC with milliseconds
// (2026-11-02T09:00:41.000Z, with more digits only when the time has them);
// optional fields are omitted when nil, empty, zero or false; durations are
// numbers of seconds. The time attribute is omitted when e.Time is zero.
func Encode(e *Event) ([]byte, error) {
	if e == nil || e.Data == nil {
		return nil, fmt.Errorf("cannot encode event: no data")
	}
	spec, ok := SpecOf(e.Data.EventType())
	if !ok {
		return nil, fmt.Errorf("cannot encode event %q: unknown type %q", e.ID, e.Data.EventType())
	}
	b := make([]byte, 0, 384)
	b = append(b, `{"specversion":"1.0","id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"type":`...)
	b = appendString(b, spec.Type)
	var err error
	if !e.Time.IsZero() {
		b = append(b, `,"time":`...)
		if b, err = appendTime(b, e.Time); err != nil {
			return nil, fmt.Errorf("cannot encode event %q: time: %w", e.ID, err)
		}
	}
	b = append(b, `,"data":{`...)
	n := len(b)
	for i := range spec.Fields {
		f := &spec.Fields[i]
		start := len(b)
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.Name...)
		b = append(b, `":`...)
		switch p := f.dst(e.Data).(type) {
		case *string:
			if *p == "" && !f.Required {
				b = b[:start]
				continue
			}
			b = appendString(b, *p)
		case *time.Time:
			b, err = appendTime(b, *p)
		case **time.Time:
			if *p == nil {
				b = b[:start]
				continue
			}
			b, err = appendTime(b, **p)
		case *float64:
			if *p == 0 && !f.Required {
				b = b[:start]
				continue
			}
			b, err = appendFloat(b, *p)
		case **float64:
			if *p == nil {
				b = b[:start]
				continue
			}
			b, err = appendFloat(b, **p)
		case *bool:
			if !*p && !f.Required {
				b = b[:start]
				continue
			}
			b = strconv.AppendBool(b, *p)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot encode event %q: %s: %w", e.ID, f.Name, err)
		}
	}
	return append(b, "}}"...), nil
}

// appendTime writes t as a JSON string in UTC with milliseconds, or with
// nanoseconds when t has sub-millisecond digits (so Decode gets t back).
func appendTime(b []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return b, fmt.Errorf("year %d is outside RFC 3339", y)
	}
	layout := "2006-01-02T15:04:05.000Z07:00"
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		layout = "2006-01-02T15:04:05.000000000Z07:00"
	}
	b = append(b, '"')
	b = t.AppendFormat(b, layout)
	return append(b, '"'), nil
}

// appendFloat writes x as a JSON number the way encoding/json does.
func appendFloat(b []byte, x float64) ([]byte, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return b, fmt.Errorf("%v is not a JSON number", x)
	}
	format := byte('f')
	if abs := math.Abs(x); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, x, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD as
// in encoding/json.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
