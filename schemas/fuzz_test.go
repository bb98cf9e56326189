package schemas_test

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/frontline-oss/frontline/schemas"
)

// FuzzDecode: Decode never panics, every error is an *Invalid with a
// reason, and every event it accepts survives Encode and Decode unchanged
// (which also holds its scrubbed text and tokenised ids to Scrub's
// idempotence).
func FuzzDecode(f *testing.F) {
	for _, tt := range validEvents {
		f.Add([]byte(tt.in))
	}
	for _, s := range []string{
		``, `null`, `[1, 2, 3]`, `{not json`, `{}`, `{"specversion":"1.0"}`,
		ev("cs.unknown.v1", `{}`),
		ev(schemas.TypeAgentState, `"x"`),
		ev(schemas.TypeAgentState, `{"agent_id":"a\u00e9\"","state":"busy","at":"0000-01-01T00:30:00+01:00"}`),
		ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:10Z","ended_at":"2026-11-02T09:00:09.999999999-05:00","talk_sec":-0}`),
		ev(schemas.TypeCustomerUpdated, `{"customer_id":"k1","at":"2026-11-02T09:00:41Z","annual_value":1e21}`),
		"\xEF\xBB\xBF" + ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"2026-11-02T09:00:41Z"}`),
		ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"9999-12-31T23:59:59Z"}`),
		ev(schemas.TypeCustomerChurned, `{"customer_id":"ann@example.com","churned_at":"2026-11-20T00:00:00Z","reason":"call +49 170 1234567 or 030 1234 5678"}`),
		`{"note":"call +49 170 1234567 or ann@example.com",`,
	} {
		f.Add([]byte(s))
	}
	// The first lines of the basic scenario seed the corpus with real
	// events; without them the fuzzer would start from toy inputs only, so
	// a missing file is a failure, not a skip.
	fh, err := os.Open("../testdata/basic/events.jsonl")
	if err != nil {
		f.Fatalf("cannot open the seed scenario: %v", err)
	}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64<<10), schemas.MaxEventBytes+1)
	for n := 0; sc.Scan() && n < 50; n++ {
		f.Add(append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		f.Fatalf("cannot read the seed scenario: %v", err)
	}
	fh.Close()
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := schemas.Decode(in)
		if err != nil {
			var inv *schemas.Invalid
			if !errors.As(err, &inv) || inv.Reason == "" {
				t.Fatalf("error %T %v is not an *Invalid with a reason", err, err)
			}
			return
		}
		b, err := schemas.Encode(e)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", e, err)
		}
		again, err := schemas.Decode(b)
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", b, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("round trip changed\n%+v %+v\nto\n%+v %+v", e, e.Data, again, again.Data)
		}
	})
}
