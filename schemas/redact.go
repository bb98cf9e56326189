package schemas

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

var (
	emailLike = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// digitRun is a run of digits, spaces, dashes and plus signs that
	// starts and ends with a digit; it is masked when it has 7+ digits.
	digitRun = regexp.MustCompile(`\+?[0-9][0-9 +-]*[0-9]`)
	masked   = []byte("***")
)

// Redact returns payload without phone numbers and e-mail addresses, for
// storing a rejected event in the DLQ table (the DLQ topic keeps the
// original bytes for a short retention). If payload is JSON (after one
// leading UTF-8 byte order mark, which is dropped then), every key of
// PIIFields (any case) is dropped at any depth and the rest is re-encoded;
// otherwise e-mail-like text and runs of 7 or more digits (spaces, dashes
// and + allowed between them) are replaced by "***". Payload is not
// modified.
func Redact(payload []byte) []byte {
	// A leading BOM would make a JSON payload look like text and keep its
	// PII keys; Decode drops it too.
	js := bytes.TrimPrefix(payload, []byte(bom))
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err == nil && !d.More() && json.Valid(js) {
		if !dropPII(v) {
			return payload
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
		}
	}
	b := emailLike.ReplaceAll(payload, masked)
	return digitRun.ReplaceAllFunc(b, func(m []byte) []byte {
		n := 0
		for _, c := range m {
			if c >= '0' && c <= '9' {
				n++
			}
		}
		if n >= 7 {
			return masked
		}
		return m
	})
}

// dropPII deletes PII keys from every object in v; it reports whether
// anything was removed.
func dropPII(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if isPII(k) {
				delete(x, k)
				changed = true
				continue
			}
			changed = dropPII(e) || changed
		}
	case []any:
		for _, e := range x {
			changed = dropPII(e) || changed
		}
	}
	return changed
}

func isPII(key string) bool {
	for _, p := range PIIFields {
		if strings.EqualFold(key, p) {
			return true
		}
	}
	return false
}
