package schemas_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// ev wraps data in a valid envelope of type typ.
func ev(typ, data string) string {
	return `{"specversion":"1.0","id":"e-1","source":"test","type":"` + typ + `","time":"2026-11-02T09:00:41Z","data":` + data + `}`
}

const call = `"call_id":"c1","direction":"inbound","queue":"orders"`

// TestDecodeReasons: every reason code of the contract with a minimal example.
func TestDecodeReasons(t *testing.T) {
	tests := []struct{ name, in, reason string }{
		{"larger than 1 MiB", `{"x":"` + strings.Repeat("a", schemas.MaxEventBytes) + `"}`, "too_large"},
		{"not JSON", `{not json`, "invalid_json"},
		{"truncated", ev(schemas.TypeAgentState, `{"agent_id":"a1"`), "invalid_json"},
		{"empty", ``, "invalid_json"},
		{"two values", `{} {}`, "invalid_json"},
		{"array", `[1, 2, 3]`, "not_cloudevent"},
		{"string", `"cs.call.ended.v1"`, "not_cloudevent"},
		{"no specversion", `{"id":"e","source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"specversion 0.3", `{"specversion":"0.3","id":"e","source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"specversion number", `{"specversion":1.0,"id":"e","source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"id missing", `{"specversion":"1.0","source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"id empty", `{"specversion":"1.0","id":"","source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"id number", `{"specversion":"1.0","id":7,"source":"s","type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"source null", `{"specversion":"1.0","id":"e","source":null,"type":"cs.agent.state.v1","data":{}}`, "not_cloudevent"},
		{"type missing", `{"specversion":"1.0","id":"e","source":"s","data":{}}`, "not_cloudevent"},
		{"bad envelope time", `{"specversion":"1.0","id":"e","source":"s","type":"cs.agent.state.v1","time":"now","data":{}}`, "bad_timestamp:time"},
		{"unknown type", ev("cs.unknown.v1", `{}`), "unknown_type"},
		{"v2 not yet in the contract", ev("cs.call.ended.v2", `{}`), "unknown_type"},
		{"data missing", `{"specversion":"1.0","id":"e","source":"s","type":"cs.agent.state.v1"}`, "missing_field:data"},
		{"data string", ev(schemas.TypeAgentState, `"a1 busy"`), "data_not_object"},
		{"data array", ev(schemas.TypeAgentState, `[]`), "data_not_object"},
		{"required field missing", ev(schemas.TypeCallEnded, `{"call_id":"c1","queue":"q","ended_at":"2026-11-02T09:00:41Z"}`), "missing_field:direction"},
		{"required field null", ev(schemas.TypeAgentState, `{"agent_id":null,"state":"busy","at":"2026-11-02T09:00:41Z"}`), "missing_field:agent_id"},
		{"queued_at missing on inbound", ev(schemas.TypeCallEnded, `{`+call+`,"ended_at":"2026-11-02T09:00:41Z"}`), "missing_field:queued_at"},
		{"string is a number", ev(schemas.TypeAgentState, `{"agent_id":7,"state":"busy","at":"2026-11-02T09:00:41Z"}`), "wrong_type:agent_id"},
		{"enum is a bool", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":true,"at":"2026-11-02T09:00:41Z"}`), "wrong_type:state"},
		{"duration is a string", ev(schemas.TypeEmailReplied, `{"email_id":"m1","agent_id":"a1","replied_at":"2026-11-02T09:00:41Z","handle_sec":"60"}`), "wrong_type:handle_sec"},
		{"number is an object", ev(schemas.TypeCustomerUpdated, `{"customer_id":"k1","at":"2026-11-02T09:00:41Z","annual_value":{"eur":1}}`), "wrong_type:annual_value"},
		{"bool is a string", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:00Z","ended_at":"2026-11-02T09:00:41Z","transferred":"yes"}`), "wrong_type:transferred"},
		{"number out of range", ev(schemas.TypeCustomerUpdated, `{"customer_id":"k1","at":"2026-11-02T09:00:41Z","annual_value":1e999}`), "bad_value:annual_value"},
		{"direction", ev(schemas.TypeCallEnded, `{"call_id":"c1","direction":"sideways","queue":"q","ended_at":"2026-11-02T09:00:41Z"}`), "bad_value:direction"},
		{"channel", ev(schemas.TypeOrderEntered, `{"order_id":"o1","agent_id":"a1","channel":"fax","started_at":"2026-11-02T09:00:00Z","entered_at":"2026-11-02T09:00:41Z"}`), "bad_value:channel"},
		{"origin", ev(schemas.TypeCallbackRequested, `{"callback_id":"b1","queue":"q","requested_at":"2026-11-02T09:00:00Z","due_at":"2026-11-02T10:00:00Z","origin":"sms"}`), "bad_value:origin"},
		{"result", ev(schemas.TypeCallbackAttempted, `{"callback_id":"b1","attempted_at":"2026-11-02T09:00:00Z","result":"Reached"}`), "bad_value:result"},
		{"state", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"lunch","at":"2026-11-02T09:00:41Z"}`), "bad_value:state"},
		{"change", ev(schemas.TypeAgentRoster, `{"agent_id":"a1","change":"promoted","at":"2026-11-02T09:00:41Z"}`), "bad_value:change"},
		{"timestamp not RFC 3339", ev(schemas.TypeEmailReplied, `{"email_id":"m1","agent_id":"a1","replied_at":"yesterday"}`), "bad_timestamp:replied_at"},
		{"timestamp without offset", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"2026-11-02T09:00:41"}`), "bad_timestamp:at"},
		{"timestamp with a space", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"2026-11-02 09:00:41Z"}`), "bad_timestamp:at"},
		{"timestamp 31 November", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"2026-11-31T09:00:41Z"}`), "bad_timestamp:at"},
		{"timestamp outside years 0000-9999 in UTC", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"0000-01-01T00:30:00+01:00"}`), "bad_timestamp:at"},
		{"year 9999 (ClickHouse would store 2299)", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"9999-12-31T23:59:59Z"}`), "out_of_range:at"},
		{"year 0001 (ClickHouse would store 1900)", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"0001-01-01T00:00:00Z"}`), "out_of_range:at"},
		{"just before 1970 in UTC", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"1970-01-01T00:30:00+01:00"}`), "out_of_range:at"},
		{"the upper bound itself", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"2096-01-01T00:00:00Z"}`), "out_of_range:at"},
		{"optional timestamp out of range", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:00Z","answered_at":"2106-02-07T06:28:15Z","ended_at":"2026-11-02T09:00:41Z"}`), "out_of_range:answered_at"},
		{"envelope time out of range", `{"specversion":"1.0","id":"e","source":"s","type":"cs.agent.state.v1","time":"9999-01-01T00:00:00Z","data":{}}`, "out_of_range:time"},
		{"timestamp as epoch number", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":1793610041}`), "bad_timestamp:at"},
		{"negative talk_sec", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:00Z","ended_at":"2026-11-02T09:00:41Z","talk_sec":-3}`), "negative_duration:talk_sec"},
		{"negative hold_sec", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:00Z","ended_at":"2026-11-02T09:00:41Z","hold_sec":-0.5}`), "negative_duration:hold_sec"},
		{"negative wrap_sec", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:00Z","ended_at":"2026-11-02T09:00:41Z","wrap_sec":-1}`), "negative_duration:wrap_sec"},
		{"negative handle_sec", ev(schemas.TypeEmailReplied, `{"email_id":"m1","agent_id":"a1","replied_at":"2026-11-02T09:00:41Z","handle_sec":-60}`), "negative_duration:handle_sec"},
		{"answered before queued", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:10Z","answered_at":"2026-11-02T09:00:09Z","ended_at":"2026-11-02T09:00:41Z"}`), "end_before_start"},
		{"ended before queued", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:10Z","ended_at":"2026-11-02T09:00:09.999Z"}`), "end_before_start"},
		{"ended before queued, other offset", ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:10Z","ended_at":"2026-11-02T09:30:00+01:00"}`), "end_before_start"},
		{"entered before started", ev(schemas.TypeOrderEntered, `{"order_id":"o1","agent_id":"a1","started_at":"2026-11-02T09:00:00Z","entered_at":"2026-11-02T08:59:00Z"}`), "end_before_start"},
		{"due before requested", ev(schemas.TypeCallbackRequested, `{"callback_id":"b1","queue":"q","requested_at":"2026-11-02T09:00:00Z","due_at":"2026-11-02T08:00:00Z"}`), "end_before_start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := schemas.Decode([]byte(tt.in))
			var inv *schemas.Invalid
			if !errors.As(err, &inv) {
				t.Fatalf("Decode = %+v, %v; want *Invalid %s", e, err, tt.reason)
			}
			if inv.Reason != tt.reason {
				t.Fatalf("reason %q (%v), want %q", inv.Reason, inv, tt.reason)
			}
			if inv.Error() != inv.Reason+": "+inv.Detail {
				t.Errorf("Error() = %q", inv.Error())
			}
		})
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}
func ptime(s string) *time.Time { t := at(s); return &t }
func pnum(f float64) *float64   { return &f }

// validEvents is a valid example of every event type and what it decodes to.
var validEvents = []struct {
	in   string
	want schemas.Data
}{
	{ev(schemas.TypeCallEnded, `{"call_id":"c1","direction":"inbound","queue":"orders","customer_id":"k1","agent_id":"a1",
		"queued_at":"2026-11-02T09:00:00Z","answered_at":"2026-11-02T09:00:12.5Z","ended_at":"2026-11-02T09:05:00Z",
		"talk_sec":270.5,"hold_sec":10,"wrap_sec":30,"transferred":true,"callback_id":"b1","topic":"billing","caller_number":"+44 20 7946 0958"}`),
		&schemas.CallEnded{CallID: "c1", Direction: "inbound", Queue: "orders", CustomerID: "k1", AgentID: "a1",
			QueuedAt: ptime("2026-11-02T09:00:00Z"), AnsweredAt: ptime("2026-11-02T09:00:12.5Z"), EndedAt: at("2026-11-02T09:05:00Z"),
			TalkSec: 270.5, HoldSec: 10, WrapSec: 30, Transferred: true, CallbackID: "b1", Topic: "billing"}},
	{ev(schemas.TypeCallEnded, `{"call_id":"c2","direction":"outbound","queue":"callbacks","ended_at":"2026-11-02T09:05:00Z"}`),
		&schemas.CallEnded{CallID: "c2", Direction: "outbound", Queue: "callbacks", EndedAt: at("2026-11-02T09:05:00Z")}},
	{ev(schemas.TypeEmailReceived, `{"email_id":"m1","queue":"support","customer_id":"k1","received_at":"2026-11-02T09:00:00Z","topic":"refund","from":"ann@example.com"}`),
		&schemas.EmailReceived{EmailID: "m1", Queue: "support", CustomerID: "k1", ReceivedAt: at("2026-11-02T09:00:00Z"), Topic: "refund"}},
	{ev(schemas.TypeEmailReplied, `{"email_id":"m1","agent_id":"a1","replied_at":"2026-11-02T10:00:00Z","handle_sec":240}`),
		&schemas.EmailReplied{EmailID: "m1", AgentID: "a1", RepliedAt: at("2026-11-02T10:00:00Z"), HandleSec: pnum(240)}},
	{ev(schemas.TypeOrderEntered, `{"order_id":"o1","agent_id":"a1","channel":"phone","customer_id":"k1","started_at":"2026-11-02T09:00:00Z","entered_at":"2026-11-02T09:04:00Z","value":129.9,"currency":"EUR"}`),
		&schemas.OrderEntered{OrderID: "o1", AgentID: "a1", Channel: "phone", CustomerID: "k1", StartedAt: at("2026-11-02T09:00:00Z"),
			EnteredAt: at("2026-11-02T09:04:00Z"), Value: pnum(129.9), Currency: "EUR"}},
	{ev(schemas.TypeCallbackRequested, `{"callback_id":"b1","queue":"orders","customer_id":"k1","requested_at":"2026-11-02T09:00:00Z","due_at":"2026-11-02T11:00:00Z","origin":"abandoned_call","phone":"0301234567"}`),
		&schemas.CallbackRequested{CallbackID: "b1", Queue: "orders", CustomerID: "k1", RequestedAt: at("2026-11-02T09:00:00Z"),
			DueAt: at("2026-11-02T11:00:00Z"), Origin: "abandoned_call"}},
	{ev(schemas.TypeCallbackAttempted, `{"callback_id":"b1","agent_id":"a1","attempted_at":"2026-11-02T09:30:00Z","result":"no_answer"}`),
		&schemas.CallbackAttempted{CallbackID: "b1", AgentID: "a1", AttemptedAt: at("2026-11-02T09:30:00Z"), Result: "no_answer"}},
	{ev(schemas.TypeCallbackCancelled, `{"callback_id":"b1","cancelled_at":"2026-11-02T09:40:00Z","reason":"customer called again"}`),
		&schemas.CallbackCancelled{CallbackID: "b1", CancelledAt: at("2026-11-02T09:40:00Z"), Reason: "customer called again"}},
	{ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"logged_out","at":"2026-11-02T17:00:00Z","queue":"orders"}`),
		&schemas.AgentState{AgentID: "a1", State: "logged_out", At: at("2026-11-02T17:00:00Z"), Queue: "orders"}},
	{ev(schemas.TypeAgentRoster, `{"agent_id":"a9","change":"joined","at":"2026-11-02T08:00:00Z","team":"blue","site":"lisbon","email":"a9@example.com"}`),
		&schemas.AgentRoster{AgentID: "a9", Change: "joined", At: at("2026-11-02T08:00:00Z"), Team: "blue", Site: "lisbon"}},
	{ev(schemas.TypeCustomerUpdated, `{"customer_id":"k1","at":"2026-11-01T00:00:00Z","segment":"A","annual_value":12000,"currency":"EUR"}`),
		&schemas.CustomerUpdated{CustomerID: "k1", At: at("2026-11-01T00:00:00Z"), Segment: "A", AnnualValue: pnum(12000), Currency: "EUR"}},
	{ev(schemas.TypeCustomerChurned, `{"customer_id":"k1","churned_at":"2026-11-20T00:00:00Z","annual_value":12000,"currency":"EUR","reason":"price"}`),
		&schemas.CustomerChurned{CustomerID: "k1", ChurnedAt: at("2026-11-20T00:00:00Z"), AnnualValue: pnum(12000), Currency: "EUR", Reason: "price"}},
}

// TestDecodeValid: a valid example of each of the 11 types decodes to the
// expected typed values; PII fields (caller_number, from, phone, email) are
// dropped because the types have no place for them.
func TestDecodeValid(t *testing.T) {
	seen := map[string]bool{}
	for _, tt := range validEvents {
		t.Run(tt.want.EventType(), func(t *testing.T) {
			seen[tt.want.EventType()] = true
			e, err := schemas.Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			want := &schemas.Event{ID: "e-1", Source: "test", Type: tt.want.EventType(), Time: at("2026-11-02T09:00:41Z"), Data: tt.want}
			if !reflect.DeepEqual(e, want) {
				t.Fatalf("got  %+v\nwant %+v", e.Data, want.Data)
			}
			if info, _ := schemas.Info(e.Type); len(e.Row()) != 2+len(info.Columns) {
				t.Errorf("Row has %d values for %d insert columns", len(e.Row()), len(info.InsertColumns()))
			}
		})
	}
	for _, ti := range schemas.Types {
		if !seen[ti.Type] {
			t.Errorf("no valid example of %s", ti.Type)
		}
	}
}

// TestDecodeNormalisesOffsets: +01:00 and -05:00 become UTC.
func TestDecodeNormalisesOffsets(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-02T10:00:41+01:00":     "2026-11-02T09:00:41Z",
		"2026-11-02T04:00:41.250-05:00": "2026-11-02T09:00:41.25Z",
		"2026-11-01T23:30:00-05:00":     "2026-11-02T04:30:00Z",
		"2026-11-02T09:00:41.123456Z":   "2026-11-02T09:00:41.123456Z",
	} {
		e, err := schemas.Decode([]byte(ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"`+in+`"}`)))
		if err != nil {
			t.Fatal(err)
		}
		got := e.Data.(*schemas.AgentState).At
		if !got.Equal(at(want)) || got.Location() != time.UTC {
			t.Errorf("%s decoded to %s, want %s in UTC", in, got, want)
		}
	}
}

// TestDecodeNullIsMissing: a JSON null optional field is absent, a null
// required field is missing.
func TestDecodeNullIsMissing(t *testing.T) {
	e, err := schemas.Decode([]byte(ev(schemas.TypeCallEnded, `{"call_id":"c1","direction":"outbound","queue":"q","queued_at":null,
		"answered_at":null,"ended_at":"2026-11-02T09:00:41Z","talk_sec":null,"transferred":null,"topic":null}`)))
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Data.(*schemas.CallEnded); d.QueuedAt != nil || d.AnsweredAt != nil || d.TalkSec != 0 || d.Transferred || d.Topic != "" {
		t.Errorf("nulls decoded to values: %+v", d)
	}
	_, err = schemas.Decode([]byte(ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":null,"ended_at":"2026-11-02T09:00:41Z"}`)))
	if inv, _ := err.(*schemas.Invalid); inv == nil || inv.Reason != "missing_field:queued_at" {
		t.Errorf("null queued_at on an inbound call: %v", err)
	}
}

// TestDecodeIgnoresUnknownFields: forward compatibility, in the envelope and
// in data, at any depth, including duplicate and escaped keys.
func TestDecodeIgnoresUnknownFields(t *testing.T) {
	in := `{ "specversion" : "1.0", "datacontenttype":"application/json", "ext":{"a":[1,{"b":"}"}]},
		"id":"e-1", "source":"test", "type":"cs.agent.state.v1",
		"data": {"agent_id":"a1", "mood":"happy", "nested":{"state":"wrong"}, "list":[{"at":"x"}],
		         "st\u0061te":"busy", "at":"2026-11-02T09:00:41Z", "version":2} }`
	e, err := schemas.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &schemas.AgentState{AgentID: "a1", State: "busy", At: at("2026-11-02T09:00:41Z")}
	if !reflect.DeepEqual(e.Data, want) || !e.Time.IsZero() {
		t.Errorf("got %+v, time %v; want %+v and no time", e.Data, e.Time, want)
	}
}

// TestDecodeStrings: escapes are decoded, invalid UTF-8 becomes U+FFFD.
func TestDecodeStrings(t *testing.T) {
	e, err := schemas.Decode([]byte(ev(schemas.TypeCallbackCancelled, `{"callback_id":"b\"1\u00e9","cancelled_at":"2026-11-02T09:00:41Z","reason":"a\nb`+"\xff"+`"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Data.(*schemas.CallbackCancelled); d.CallbackID != `b"1é` || d.Reason != "a\nb\uFFFD" {
		t.Errorf("got %q, %q", d.CallbackID, d.Reason)
	}
}

// TestEncodeDecodeRoundTrip: Encode of every type decodes to the same Event.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, tt := range validEvents {
		e, err := schemas.Decode([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		b, err := schemas.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		again, err := schemas.Decode(b)
		if err != nil {
			t.Fatalf("%s does not decode: %v", b, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Errorf("round trip of %s changed\n%+v\nto\n%+v", e.Type, e.Data, again.Data)
		}
	}
}

// TestEncode: the wire form of the contract.
func TestEncode(t *testing.T) {
	talk := &schemas.Event{ID: "c-000123-end", Source: "acd/site-a", Time: at("2026-11-02T10:00:41+01:00"),
		Data: &schemas.CallEnded{CallID: "c1", Direction: "outbound", Queue: "q", EndedAt: at("2026-11-02T09:05:00.123456789Z"),
			TalkSec: 0.5, Topic: "x\"<y>\x01"}}
	b, err := schemas.Encode(talk)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"specversion":"1.0","id":"c-000123-end","source":"acd/site-a","type":"cs.call.ended.v1","time":"2026-11-02T09:00:41.000Z",` +
		`"data":{"call_id":"c1","direction":"outbound","queue":"q","ended_at":"2026-11-02T09:05:00.123456789Z","talk_sec":0.5,"topic":"x\"<y>\u0001"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	for _, bad := range []*schemas.Event{
		{ID: "x"},
		{ID: "x", Data: &schemas.CustomerUpdated{CustomerID: "k", At: at("2026-11-02T09:00:41Z"), AnnualValue: pnum(math.Inf(1))}},
	} {
		if b, err := schemas.Encode(bad); err == nil {
			t.Errorf("Encode(%+v) = %s, want an error", bad, b)
		}
	}
}

// TestRedact: PII keys are removed from JSON payloads at any depth, and
// every other key, string and number is scrubbed; other payloads are
// scrubbed as text.
func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"id":"e","data":{"call_id":"c1","caller_number":"+44 20 7946 0958","Email":"a@b.de","x":[{"phone":"1"}]},"from":"a"}`,
			`{"data":{"call_id":"c1","x":[{}]},"id":"e"}`},
		{`{"id":"e","data":{"call_id":"c1"}}`, `{"id":"e","data":{"call_id":"c1"}}`},
		{`[{"msisdn":"491701234567","n":12345678901234567890}]`, `[{"n":12345678901234567890}]`},
		{`{"data":{"email":"ann@example.com", "phone": "+49 170 1234567"`, `{"data":{"email":"***", "phone": "***"`},
		{`call me: +44-20-7946-0958 or (030) 1234567, ticket 123456`, `call me: *** or ***, ticket 123456`},
		// free text under any key, at any depth
		{`{"id":"e","data":{"call_id":"c1","note":"call 0301234567 or ann@example.com"}}`,
			`{"data":{"call_id":"c1","note":"call *** or ***"},"id":"e"}`},
		{`{"a":[{"b":["+49 170 1234567",{"c":"x@y.de"}]}],"d":"line\n0301234567"}`, `{"a":[{"b":["***",{"c":"***"}]}],"d":"line\n***"}`},
		// keys, and numbers that are phone numbers
		{`{"ann@example.com":"vip","n":4930123456,"m":12.5,"k":1048576}`, `{"***":"vip","k":1048576,"m":12.5,"n":"***"}`},
		// a duplicate key does not hide a value from Redact
		{`{"note":"call 0301234567","note":"x"}`, `{"note":"x"}`},
		// what the pipeline writes itself is kept, byte for byte
		{`{"id":"c-000123-end", "time":"2026-11-02T09:00:41Z","data":{"talk_sec":270.5,"customer_id":"cust-00042"}}`,
			`{"id":"c-000123-end", "time":"2026-11-02T09:00:41Z","data":{"talk_sec":270.5,"customer_id":"cust-00042"}}`},
		// a BOM does not turn JSON into text whose PII keys survive
		{"\xEF\xBB\xBF" + `{"id":"e","data":{"phone":"1234"}}`, `{"data":{},"id":"e"}`},
		{"\xEF\xBB\xBF{}", `{}`},
	}
	for _, tt := range tests {
		if got := string(schemas.Redact([]byte(tt.in))); got != tt.want {
			t.Errorf("Redact(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestSpecsMatchTypes: the field tables, the Go types and the raw-table
// columns describe the same fields.
func TestSpecsMatchTypes(t *testing.T) {
	if len(schemas.Specs) != len(schemas.Types) {
		t.Fatalf("%d specs for %d types", len(schemas.Specs), len(schemas.Types))
	}
	for _, ti := range schemas.Types {
		s, ok := schemas.SpecOf(ti.Type)
		if !ok {
			t.Fatalf("no spec for %s", ti.Type)
		}
		var names []string
		for _, f := range s.Fields {
			names = append(names, f.Name)
			if (f.Kind == schemas.Enum) != (len(f.Values) > 0) {
				t.Errorf("%s.%s: values %v for kind %v", ti.Type, f.Name, f.Values, f.Kind)
			}
		}
		if !reflect.DeepEqual(names, ti.Columns) {
			t.Errorf("%s: spec fields %v, table columns %v", ti.Type, names, ti.Columns)
		}
	}
}

// TestDecodeBOM: a file saved by a Windows editor starts with a UTF-8 byte
// order mark; Decode drops one leading BOM, so the first line of such a file
// is the event it looks like, and garbage after a BOM is still garbage.
func TestDecodeBOM(t *testing.T) {
	const bom = "\xEF\xBB\xBF"
	e, err := schemas.Decode([]byte(bom + validEvents[0].in))
	if err != nil {
		t.Fatalf("valid event after a BOM: %v", err)
	}
	if !reflect.DeepEqual(e.Data, validEvents[0].want) {
		t.Errorf("got %+v, want %+v", e.Data, validEvents[0].want)
	}
	for in, reason := range map[string]string{
		bom + `{not json`:             "invalid_json",
		bom:                           "invalid_json",
		bom + bom + validEvents[0].in: "invalid_json", // one BOM, not any number
		bom + `[1]`:                   "not_cloudevent",
		" " + bom + validEvents[0].in: "invalid_json", // only at the very start
	} {
		_, err := schemas.Decode([]byte(in))
		if inv, _ := err.(*schemas.Invalid); inv == nil || inv.Reason != reason {
			t.Errorf("Decode(%q) = %v, want %s", in, err, reason)
		}
	}
}

// TestDecodeTimeRange: the bounds themselves, and that they are what
// ClickHouse can hold: DateTime64(3) keeps 1900-2299, but toDateTime (TTL
// expressions add up to 3650 days to it) ends at 2106-02-07T06:28:15Z.
func TestDecodeTimeRange(t *testing.T) {
	lo, hi := at(schemas.MinTime), at(schemas.MaxTime)
	if !lo.Equal(time.Unix(0, 0)) {
		t.Errorf("MinTime %s is not the start of ClickHouse DateTime", schemas.MinTime)
	}
	if last := hi.AddDate(0, 0, 3650); !last.Before(at("2106-02-07T06:28:15Z")) {
		t.Errorf("MaxTime + 3650 days = %s is beyond ClickHouse DateTime", last)
	}
	for _, in := range []string{"1970-01-01T00:00:00Z", "1970-01-01T01:00:00+01:00", "2095-12-31T23:59:59.999999999Z", "2096-01-01T00:30:00+01:00"} {
		e, err := schemas.Decode([]byte(ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"`+in+`"}`)))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := e.Data.(*schemas.AgentState).At; got.Before(lo) || !got.Before(hi) {
			t.Errorf("%s decoded to %s", in, got)
		}
	}
}

// TestDetailScrubbed: a rejected event's detail goes to the DLQ table, the
// DLQ headers, replay's output and logs, so it never carries an e-mail
// address or a phone number, wherever in the event they were and however
// the 80-character cut falls.
func TestDetailScrubbed(t *testing.T) {
	pad := strings.Repeat("x", 66)
	tests := []struct{ name, in, reason string }{
		{"invalid JSON", `{"note":"call +49 170 1234567 or ann@example.com",`, "invalid_json"},
		{"a number across the cut", `{"note":"` + pad + ` 0301234567 and more"`, "invalid_json"},
		{"an address across the cut", `{"note":"` + pad + ` ann.lee@example.com"`, "invalid_json"},
		{"after a JSON escape", `{"note":"line\n0301234567"`, "invalid_json"},
		{"not an object", `["ann@example.com", "+49 170 1234567"]`, "not_cloudevent"},
		{"unknown type", ev("ann@example.com", `{}`), "unknown_type"},
		{"data not an object", ev(schemas.TypeAgentState, `"call 0301234567"`), "data_not_object"},
		{"string is a number", ev(schemas.TypeAgentState, `{"agent_id":4930123456,"state":"busy","at":"2026-11-02T09:00:41Z"}`), "wrong_type:agent_id"},
		{"enum", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"call ann@example.com","at":"2026-11-02T09:00:41Z"}`), "bad_value:state"},
		{"timestamp", ev(schemas.TypeAgentState, `{"agent_id":"a1","state":"busy","at":"+49 170 1234567"}`), "bad_timestamp:at"},
		{"negative duration", ev(schemas.TypeEmailReplied, `{"email_id":"m1","agent_id":"a1","replied_at":"2026-11-02T09:00:41Z","handle_sec":-4930123456}`), "negative_duration:handle_sec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schemas.Decode([]byte(tt.in))
			inv, _ := err.(*schemas.Invalid)
			if inv == nil || inv.Reason != tt.reason {
				t.Fatalf("Decode = %v, want %s", err, tt.reason)
			}
			for _, pii := range []string{"@", "1234567", "7946", "0301", "30123", "+49", "ann"} {
				if strings.Contains(inv.Detail, pii) {
					t.Errorf("detail %q contains %q", inv.Detail, pii)
				}
			}
			if !strings.Contains(inv.Detail, schemas.Mask) {
				t.Errorf("detail %q has no mask", inv.Detail)
			}
		})
	}
	// What the pipeline writes itself stays readable.
	_, err := schemas.Decode([]byte(ev(schemas.TypeCallEnded, `{`+call+`,"queued_at":"2026-11-02T09:00:10Z","ended_at":"2026-11-02T09:00:09.999Z"}`)))
	if want := "ended_at 2026-11-02T09:00:09.999Z is before queued_at 2026-11-02T09:00:10Z"; err == nil || err.(*schemas.Invalid).Detail != want {
		t.Errorf("detail %v, want %q", err, want)
	}
	_, err = schemas.Decode([]byte(`{"x":"` + strings.Repeat("a", schemas.MaxEventBytes) + `"}`))
	if want := "event of 1048584 bytes exceeds 1048576"; err == nil || err.(*schemas.Invalid).Detail != want {
		t.Errorf("detail %v, want %q", err, want)
	}
}

// TestDecodeScrubsPII: free-text fields of valid events are stored with
// e-mail addresses and phone numbers masked; ids (the *_id fields, queue,
// the envelope id and source) are keys that KPIs join and filter on, so
// they are kept, unless one holds an address or an international number:
// then it is stored as its PIIToken, equal for equal ids.
func TestDecodeScrubsPII(t *testing.T) {
	tok := schemas.PIIToken
	tests := []struct {
		in   string
		want schemas.Data
	}{
		{ev(schemas.TypeCallbackCancelled, `{"callback_id":"b1","cancelled_at":"2026-11-02T09:40:00Z","reason":"customer asks for 0301234567 instead"}`),
			&schemas.CallbackCancelled{CallbackID: "b1", CancelledAt: at("2026-11-02T09:40:00Z"), Reason: "customer asks for *** instead"}},
		{ev(schemas.TypeCustomerChurned, `{"customer_id":"cust-00042","churned_at":"2026-11-20T00:00:00Z","reason":"moved; write to ann@example.com"}`),
			&schemas.CustomerChurned{CustomerID: "cust-00042", ChurnedAt: at("2026-11-20T00:00:00Z"), Reason: "moved; write to ***"}},
		{ev(schemas.TypeEmailReceived, `{"email_id":"m1","queue":"support","received_at":"2026-11-02T09:00:00Z","topic":"refund, call +49 170 1234567"}`),
			&schemas.EmailReceived{EmailID: "m1", Queue: "support", ReceivedAt: at("2026-11-02T09:00:00Z"), Topic: "refund, call ***"}},
		{ev(schemas.TypeAgentRoster, `{"agent_id":"a9","change":"joined","at":"2026-11-02T08:00:00Z","team":"lead: bob@example.com","site":"(030) 1234567"}`),
			&schemas.AgentRoster{AgentID: "a9", Change: "joined", At: at("2026-11-02T08:00:00Z"), Team: "lead: ***", Site: "***"}},
		{ev(schemas.TypeCustomerUpdated, `{"customer_id":"ann@example.com","at":"2026-11-01T00:00:00Z","segment":"A 0301234567"}`),
			&schemas.CustomerUpdated{CustomerID: tok("ann@example.com"), At: at("2026-11-01T00:00:00Z"), Segment: "A ***"}},
		{ev(schemas.TypeCallEnded, `{"call_id":"c-000123","direction":"outbound","queue":"hotline +4930123456","customer_id":"+49 170 1234567",
			"agent_id":"tel:+49-30-1234567","ended_at":"2026-11-02T09:05:00Z","callback_id":"0301234567","topic":"billing"}`),
			&schemas.CallEnded{CallID: "c-000123", Direction: "outbound", Queue: tok("hotline +4930123456"), CustomerID: tok("+49 170 1234567"),
				AgentID: tok("tel:+49-30-1234567"), EndedAt: at("2026-11-02T09:05:00Z"), CallbackID: "0301234567", Topic: "billing"}},
	}
	for _, tt := range tests {
		e, err := schemas.Decode([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if !reflect.DeepEqual(e.Data, tt.want) {
			t.Errorf("got  %+v\nwant %+v", e.Data, tt.want)
		}
		b, err := schemas.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := schemas.Decode(b); err != nil || !reflect.DeepEqual(again, e) {
			t.Errorf("%s does not decode to itself: %v", b, err)
		}
	}
	e, err := schemas.Decode([]byte(`{"specversion":"1.0","id":"ann@example.com","source":"mailto:ops@example.com","type":"cs.agent.state.v1",
		"data":{"agent_id":"a1","state":"busy","at":"2026-11-02T09:00:41Z"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != tok("ann@example.com") || e.Source != tok("mailto:ops@example.com") {
		t.Errorf("envelope id %q and source %q are not tokens", e.ID, e.Source)
	}
}
