package schemas

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Redact returns payload without phone numbers and e-mail addresses, for
// storing a rejected event in the DLQ table (the DLQ topic keeps the
// original bytes for a short retention). If payload is JSON (after one
// leading UTF-8 byte order mark, which is dropped then), every key of
// PIIFields (any case) is dropped at any depth, every other key and string
// value at any depth is scrubbed (see Scrub), a number that Scrub would
// change becomes the string Mask, and the result is re-encoded (keys
// sorted, of duplicate keys only the last kept); otherwise the text is
// scrubbed. A payload with nothing to remove is returned as it is. Payload
// is not modified.
func Redact(payload []byte) []byte {
	// A leading BOM would make a JSON payload look like text and keep its
	// PII keys; Decode drops it too.
	js := bytes.TrimPrefix(payload, []byte(bom))
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err == nil && !d.More() && json.Valid(js) {
		v, changed := redact(v)
		// With duplicate keys only the last value was scrubbed; the
		// re-encoded JSON has no earlier ones.
		if !changed && Scrub(string(js)) == string(js) {
			return js
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
		}
	}
	if s := string(payload); mayHavePII(s) {
		if r := Scrub(s); r != s {
			return []byte(r)
		}
	}
	return payload
}

// redact drops PII keys from every object in v and scrubs every other key,
// string and number; it returns the new value and whether anything
// changed.
func redact(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		changed := false
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		for _, k := range keys {
			if isPII(k) {
				delete(x, k)
				changed = true
				continue
			}
			e, c := redact(x[k])
			if sk := Scrub(k); sk != k {
				delete(x, k)
				k, c = sk, true
			}
			if c {
				x[k] = e
				changed = true
			}
		}
		return x, changed
	case []any:
		changed := false
		for i, e := range x {
			var c bool
			if x[i], c = redact(e); c {
				changed = true
			}
		}
		return x, changed
	case string:
		if s := Scrub(x); s != x {
			return s, true
		}
	case json.Number:
		if Scrub(string(x)) != string(x) {
			return Mask, true
		}
	}
	return v, false
}

func isPII(key string) bool {
	for _, p := range PIIFields {
		if strings.EqualFold(key, p) {
			return true
		}
	}
	return false
}
