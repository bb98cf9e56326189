package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// MaxEventBytes is the largest event accepted; larger ones are too_large.
const MaxEventBytes = 1 << 20

// Invalid says why an event was rejected. Reason is a stable code for
// metrics, the DLQ header and tests (e.g. missing_field:queued_at); Detail is
// for people.
type Invalid struct {
	Reason string
	Detail string
}

func (e *Invalid) Error() string { return e.Reason + ": " + e.Detail }

func invalid(reason, format string, args ...any) *Invalid {
	d := format
	if len(args) > 0 {
		d = fmt.Sprintf(format, args...)
	}
	return &Invalid{Reason: reason, Detail: d}
}

type envelope struct {
	SpecVersion json.RawMessage            `json:"specversion"`
	ID          json.RawMessage            `json:"id"`
	Source      json.RawMessage            `json:"source"`
	Type        json.RawMessage            `json:"type"`
	Time        json.RawMessage            `json:"time"`
	Data        map[string]json.RawMessage `json:"data"`
}

var null = []byte("null")

// present reports whether a raw field is there and not JSON null.
func present(r json.RawMessage) bool { return len(r) > 0 && !bytes.Equal(r, null) }

// Decode parses and validates one CloudEvents JSON event against the
// contract. Every error is an *Invalid. Unknown fields are ignored and
// phone/e-mail fields never reach the Event.
func Decode(b []byte) (*Event, error) {
	if len(b) > MaxEventBytes {
		return nil, invalid("too_large", "event of %d bytes exceeds %d", len(b), MaxEventBytes)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		if json.Valid(b) {
			return nil, invalid("not_cloudevent", "not a JSON object")
		}
		return nil, invalid("invalid_json", "not valid JSON")
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		if !json.Valid(b) {
			return nil, invalid("invalid_json", "%v", err)
		}
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field == "data" {
			return nil, invalid("data_not_object", "data is a JSON %s", te.Value)
		}
		return nil, invalid("not_cloudevent", "%v", err)
	}
	sv, ok := str(env.SpecVersion)
	if !ok || sv != "1.0" {
		return nil, invalid("not_cloudevent", "specversion must be \"1.0\"")
	}
	ev := &Event{}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"id", env.ID, &ev.ID}, {"source", env.Source, &ev.Source}, {"type", env.Type, &ev.Type}} {
		s, ok := str(f.raw)
		if !ok || s == "" {
			return nil, invalid("not_cloudevent", "%s must be a non-empty string", f.name)
		}
		*f.dst = s
	}
	if present(env.Time) {
		s, ok := str(env.Time)
		t, err := parseTime(s)
		if !ok || err != nil {
			return nil, invalid("bad_timestamp:time", "time %s is not RFC 3339 with an offset", truncate(env.Time))
		}
		ev.Time = t
	}
	spec, ok := SpecOf(ev.Type)
	if !ok {
		return nil, invalid("unknown_type", "unknown event type %q", truncateStr(ev.Type))
	}
	if env.Data == nil {
		return nil, invalid("missing_field:data", "data is missing")
	}
	v, err := parseFields(spec, env.Data)
	if err != nil {
		return nil, err
	}
	ev.Data = v.build(spec.Type)
	return ev, nil
}

// values are the parsed data fields of one event, by field name.
type values struct {
	strs  map[string]string
	times map[string]time.Time
	nums  map[string]float64
	bools map[string]bool
}

func parseFields(spec *Spec, data map[string]json.RawMessage) (*values, error) {
	v := &values{strs: map[string]string{}, times: map[string]time.Time{}, nums: map[string]float64{}, bools: map[string]bool{}}
	for _, f := range spec.Fields {
		raw := data[f.Name]
		if !present(raw) {
			if f.Required {
				return nil, invalid("missing_field:"+f.Name, "%s is required", f.Name)
			}
			continue
		}
		switch f.Kind {
		case String, Enum:
			s, ok := str(raw)
			if !ok {
				return nil, invalid("wrong_type:"+f.Name, "%s must be a string, got %s", f.Name, truncate(raw))
			}
			if f.Kind == Enum && !contains(f.Values, s) {
				return nil, invalid("bad_value:"+f.Name, "%s %q is not one of %v", f.Name, truncateStr(s), f.Values)
			}
			v.strs[f.Name] = s
		case Timestamp:
			s, ok := str(raw)
			if !ok {
				return nil, invalid("bad_timestamp:"+f.Name, "%s must be an RFC 3339 string, got %s", f.Name, truncate(raw))
			}
			t, err := parseTime(s)
			if err != nil {
				return nil, invalid("bad_timestamp:"+f.Name, "%s %q is not RFC 3339 with an offset", f.Name, truncateStr(s))
			}
			v.times[f.Name] = t
		case Duration, Number:
			n, err := strconv.ParseFloat(string(raw), 64)
			if err != nil || raw[0] == '"' {
				return nil, invalid("wrong_type:"+f.Name, "%s must be a number, got %s", f.Name, truncate(raw))
			}
			if f.Kind == Duration && n < 0 {
				return nil, invalid("negative_duration:"+f.Name, "%s is %v seconds", f.Name, n)
			}
			v.nums[f.Name] = n
		case Bool:
			switch string(raw) {
			case "true":
				v.bools[f.Name] = true
			case "false":
				v.bools[f.Name] = false
			default:
				return nil, invalid("wrong_type:"+f.Name, "%s must be true or false, got %s", f.Name, truncate(raw))
			}
		}
	}
	for _, c := range spec.RequiredIf {
		if _, ok := v.times[c.Field]; !ok && v.strs[c.When] == c.Is {
			return nil, invalid("missing_field:"+c.Field, "%s is required when %s is %s", c.Field, c.When, c.Is)
		}
	}
	for _, o := range spec.Orders {
		s, ok1 := v.times[o.Start]
		e, ok2 := v.times[o.End]
		if ok1 && ok2 && e.Before(s) {
			return nil, invalid("end_before_start", "%s %s is before %s %s", o.End, e.Format(time.RFC3339Nano), o.Start, s.Format(time.RFC3339Nano))
		}
	}
	return v, nil
}

func (v *values) ptime(name string) *time.Time {
	if t, ok := v.times[name]; ok {
		return &t
	}
	return nil
}

func (v *values) pnum(name string) *float64 {
	if n, ok := v.nums[name]; ok {
		return &n
	}
	return nil
}

// build makes the typed Data of an event type from its parsed fields.
func (v *values) build(t string) Data {
	s, tm, n := v.strs, v.times, v.nums
	switch t {
	case TypeCallEnded:
		return &CallEnded{CallID: s["call_id"], Direction: s["direction"], Queue: s["queue"], CustomerID: s["customer_id"],
			AgentID: s["agent_id"], QueuedAt: v.ptime("queued_at"), AnsweredAt: v.ptime("answered_at"), EndedAt: tm["ended_at"],
			TalkSec: n["talk_sec"], HoldSec: n["hold_sec"], WrapSec: n["wrap_sec"], Transferred: v.bools["transferred"],
			CallbackID: s["callback_id"], Topic: s["topic"]}
	case TypeEmailReceived:
		return &EmailReceived{EmailID: s["email_id"], Queue: s["queue"], CustomerID: s["customer_id"], ReceivedAt: tm["received_at"], Topic: s["topic"]}
	case TypeEmailReplied:
		return &EmailReplied{EmailID: s["email_id"], AgentID: s["agent_id"], RepliedAt: tm["replied_at"], HandleSec: v.pnum("handle_sec")}
	case TypeOrderEntered:
		return &OrderEntered{OrderID: s["order_id"], AgentID: s["agent_id"], Channel: s["channel"], CustomerID: s["customer_id"],
			StartedAt: tm["started_at"], EnteredAt: tm["entered_at"], Value: v.pnum("value"), Currency: s["currency"]}
	case TypeCallbackRequested:
		return &CallbackRequested{CallbackID: s["callback_id"], Queue: s["queue"], CustomerID: s["customer_id"],
			RequestedAt: tm["requested_at"], DueAt: tm["due_at"], Origin: s["origin"]}
	case TypeCallbackAttempted:
		return &CallbackAttempted{CallbackID: s["callback_id"], AgentID: s["agent_id"], AttemptedAt: tm["attempted_at"], Result: s["result"]}
	case TypeCallbackCancelled:
		return &CallbackCancelled{CallbackID: s["callback_id"], CancelledAt: tm["cancelled_at"], Reason: s["reason"]}
	case TypeAgentState:
		return &AgentState{AgentID: s["agent_id"], State: s["state"], At: tm["at"], Queue: s["queue"]}
	case TypeAgentRoster:
		return &AgentRoster{AgentID: s["agent_id"], Change: s["change"], At: tm["at"], Team: s["team"], Site: s["site"]}
	case TypeCustomerUpdated:
		return &CustomerUpdated{CustomerID: s["customer_id"], At: tm["at"], Segment: s["segment"], AnnualValue: v.pnum("annual_value"), Currency: s["currency"]}
	case TypeCustomerChurned:
		return &CustomerChurned{CustomerID: s["customer_id"], ChurnedAt: tm["churned_at"], AnnualValue: v.pnum("annual_value"),
			Currency: s["currency"], Reason: s["reason"]}
	}
	panic("schemas: no constructor for " + t)
}

// parseTime accepts RFC 3339 with an offset (Z or ±hh:mm) and returns UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// str decodes a JSON string; ok is false for any other JSON value.
func str(r json.RawMessage) (string, bool) {
	if len(r) < 2 || r[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(r[1:len(r)-1], '\\') < 0 {
		return string(r[1 : len(r)-1]), true
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		return "", false
	}
	return s, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func truncate(r json.RawMessage) string { return truncateStr(string(r)) }

func truncateStr(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
