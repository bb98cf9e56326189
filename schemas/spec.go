package schemas

// Kind is the JSON kind of a data field in the contract. It decides how
// Decode checks a value, how Encode writes it and what the JSON Schema says.
type Kind int

// Field kinds. Timestamps are RFC 3339 strings with an offset; durations are
// non-negative numbers of seconds. String and ID are both JSON strings but
// are stored differently, because free text may carry personal data while
// ids must stay equal to be joined.
const (
	String    Kind = iota // free text, stored with e-mail addresses and phone numbers masked (Scrub)
	Timestamp             // an RFC 3339 string with an offset, stored as UTC
	Duration              // a non-negative JSON number of seconds
	Number                // any JSON number (money, counts)
	Bool                  // true or false
	Enum                  // a JSON string from Field.Values
	// ID is a JSON string that KPIs join, group or filter on (the *_id
	// fields, queue): stored as sent, or as its PIIToken when it contains
	// an e-mail address or an international phone number.
	ID
)

// Field is one data field of an event type. The table of Fields drives
// Decode, Encode and the JSON Schema files, so the three cannot drift.
type Field struct {
	Name     string   // the JSON name in data, snake_case as in docs/events.md
	Kind     Kind     // how the value is checked and written
	Required bool     // missing or null is missing_field:<name>
	Values   []string // the allowed values of an Enum (else bad_value:<name>)

	// dst returns a pointer to the field inside the typed Data: *string,
	// *time.Time, **time.Time (optional timestamp), *float64 (missing
	// counts 0), **float64 (optional number) or *bool.
	dst func(Data) any
}

// Order is an "end before start" rule of the contract: End may not be
// before Start when both are present (reason end_before_start).
type Order struct{ Start, End string }

// Condition makes Field required when the field When has the value Is
// (queued_at is required for inbound calls only).
type Condition struct{ Field, When, Is string }

// Spec is the data contract of one event type: the single table that
// validation, encoding and the JSON Schema files are derived from.
type Spec struct {
	Type   string  // the CloudEvents type, e.g. cs.call.ended.v1
	Fields []Field // the data fields in the order of the contract
	// Orders are the end-before-start rules between timestamp fields.
	Orders []Order
	// RequiredIf are fields required only for some values of another.
	RequiredIf []Condition

	new func() Data
}

// fields builds the Field table of the Data type T with typed pointers.
type fields[T any] []Field

func (fs fields[T]) req(name string, k Kind, dst func(*T) any, values ...string) fields[T] {
	return append(fs, Field{Name: name, Kind: k, Required: true, Values: values, dst: func(d Data) any { return dst(any(d).(*T)) }})
}

func (fs fields[T]) opt(name string, k Kind, dst func(*T) any, values ...string) fields[T] {
	return append(fs, Field{Name: name, Kind: k, Values: values, dst: func(d Data) any { return dst(any(d).(*T)) }})
}

func spec[T any, P interface {
	*T
	Data
}](fs fields[T]) Spec {
	return Spec{Type: P(new(T)).EventType(), Fields: fs, new: func() Data { return P(new(T)) }}
}

func (s Spec) order(start, end string) Spec {
	s.Orders = append(s.Orders, Order{start, end})
	return s
}

// Specs is the event contract v1 of docs/events.md, one Spec per
// type, fields in the order of the contract table (and of TypeInfo.Columns).
// It is the one place a field is added or changed: Decode, Encode and the
// JSON Schema files all follow it.
var Specs = specs

var specs = []Spec{
	spec(fields[CallEnded]{}.
		req("call_id", ID, func(d *CallEnded) any { return &d.CallID }).
		req("direction", Enum, func(d *CallEnded) any { return &d.Direction }, "inbound", "outbound").
		req("queue", ID, func(d *CallEnded) any { return &d.Queue }).
		opt("customer_id", ID, func(d *CallEnded) any { return &d.CustomerID }).
		opt("agent_id", ID, func(d *CallEnded) any { return &d.AgentID }).
		opt("queued_at", Timestamp, func(d *CallEnded) any { return &d.QueuedAt }).
		opt("answered_at", Timestamp, func(d *CallEnded) any { return &d.AnsweredAt }).
		req("ended_at", Timestamp, func(d *CallEnded) any { return &d.EndedAt }).
		opt("talk_sec", Duration, func(d *CallEnded) any { return &d.TalkSec }).
		opt("hold_sec", Duration, func(d *CallEnded) any { return &d.HoldSec }).
		opt("wrap_sec", Duration, func(d *CallEnded) any { return &d.WrapSec }).
		opt("transferred", Bool, func(d *CallEnded) any { return &d.Transferred }).
		opt("callback_id", ID, func(d *CallEnded) any { return &d.CallbackID }).
		opt("topic", String, func(d *CallEnded) any { return &d.Topic })).
		order("queued_at", "answered_at").order("queued_at", "ended_at").
		requiredIf("queued_at", "direction", "inbound"),
	spec(fields[EmailReceived]{}.
		req("email_id", ID, func(d *EmailReceived) any { return &d.EmailID }).
		req("queue", ID, func(d *EmailReceived) any { return &d.Queue }).
		opt("customer_id", ID, func(d *EmailReceived) any { return &d.CustomerID }).
		req("received_at", Timestamp, func(d *EmailReceived) any { return &d.ReceivedAt }).
		opt("topic", String, func(d *EmailReceived) any { return &d.Topic })),
	spec(fields[EmailReplied]{}.
		req("email_id", ID, func(d *EmailReplied) any { return &d.EmailID }).
		req("agent_id", ID, func(d *EmailReplied) any { return &d.AgentID }).
		req("replied_at", Timestamp, func(d *EmailReplied) any { return &d.RepliedAt }).
		opt("handle_sec", Duration, func(d *EmailReplied) any { return &d.HandleSec })),
	spec(fields[OrderEntered]{}.
		req("order_id", ID, func(d *OrderEntered) any { return &d.OrderID }).
		req("agent_id", ID, func(d *OrderEntered) any { return &d.AgentID }).
		opt("channel", Enum, func(d *OrderEntered) any { return &d.Channel }, "phone", "email", "web", "other").
		opt("customer_id", ID, func(d *OrderEntered) any { return &d.CustomerID }).
		req("started_at", Timestamp, func(d *OrderEntered) any { return &d.StartedAt }).
		req("entered_at", Timestamp, func(d *OrderEntered) any { return &d.EnteredAt }).
		opt("value", Number, func(d *OrderEntered) any { return &d.Value }).
		opt("currency", String, func(d *OrderEntered) any { return &d.Currency })).
		order("started_at", "entered_at"),
	spec(fields[CallbackRequested]{}.
		req("callback_id", ID, func(d *CallbackRequested) any { return &d.CallbackID }).
		req("queue", ID, func(d *CallbackRequested) any { return &d.Queue }).
		opt("customer_id", ID, func(d *CallbackRequested) any { return &d.CustomerID }).
		req("requested_at", Timestamp, func(d *CallbackRequested) any { return &d.RequestedAt }).
		req("due_at", Timestamp, func(d *CallbackRequested) any { return &d.DueAt }).
		opt("origin", Enum, func(d *CallbackRequested) any { return &d.Origin }, "ivr", "web", "agent", "abandoned_call")).
		order("requested_at", "due_at"),
	spec(fields[CallbackAttempted]{}.
		req("callback_id", ID, func(d *CallbackAttempted) any { return &d.CallbackID }).
		opt("agent_id", ID, func(d *CallbackAttempted) any { return &d.AgentID }).
		req("attempted_at", Timestamp, func(d *CallbackAttempted) any { return &d.AttemptedAt }).
		req("result", Enum, func(d *CallbackAttempted) any { return &d.Result }, "reached", "no_answer", "busy", "failed")),
	spec(fields[CallbackCancelled]{}.
		req("callback_id", ID, func(d *CallbackCancelled) any { return &d.CallbackID }).
		req("cancelled_at", Timestamp, func(d *CallbackCancelled) any { return &d.CancelledAt }).
		opt("reason", String, func(d *CallbackCancelled) any { return &d.Reason })),
	spec(fields[AgentState]{}.
		req("agent_id", ID, func(d *AgentState) any { return &d.AgentID }).
		req("state", Enum, func(d *AgentState) any { return &d.State }, "available", "busy", "wrap", "break", "logged_out").
		req("at", Timestamp, func(d *AgentState) any { return &d.At }).
		opt("queue", ID, func(d *AgentState) any { return &d.Queue })),
	spec(fields[AgentRoster]{}.
		req("agent_id", ID, func(d *AgentRoster) any { return &d.AgentID }).
		req("change", Enum, func(d *AgentRoster) any { return &d.Change }, "joined", "left").
		req("at", Timestamp, func(d *AgentRoster) any { return &d.At }).
		opt("team", String, func(d *AgentRoster) any { return &d.Team }).
		opt("site", String, func(d *AgentRoster) any { return &d.Site })),
	spec(fields[CustomerUpdated]{}.
		req("customer_id", ID, func(d *CustomerUpdated) any { return &d.CustomerID }).
		req("at", Timestamp, func(d *CustomerUpdated) any { return &d.At }).
		opt("segment", String, func(d *CustomerUpdated) any { return &d.Segment }).
		opt("annual_value", Number, func(d *CustomerUpdated) any { return &d.AnnualValue }).
		opt("currency", String, func(d *CustomerUpdated) any { return &d.Currency })),
	spec(fields[CustomerChurned]{}.
		req("customer_id", ID, func(d *CustomerChurned) any { return &d.CustomerID }).
		req("churned_at", Timestamp, func(d *CustomerChurned) any { return &d.ChurnedAt }).
		opt("annual_value", Number, func(d *CustomerChurned) any { return &d.AnnualValue }).
		opt("currency", String, func(d *CustomerChurned) any { return &d.Currency }).
		opt("reason", String, func(d *CustomerChurned) any { return &d.Reason })),
}

func (s Spec) requiredIf(field, when, is string) Spec {
	s.RequiredIf = append(s.RequiredIf, Condition{field, when, is})
	return s
}

// SpecOf returns the Spec of an event type; false for a type the contract
// does not know (reason unknown_type).
func SpecOf(eventType string) (*Spec, bool) {
	for i := range Specs {
		if Specs[i].Type == eventType {
			return &Specs[i], true
		}
	}
	return nil, false
}

// PIIFields are keys that carry phone numbers or e-mail addresses. They
// have no place in the typed Data (so Decode never keeps them) and Redact
// removes them from DLQ payloads.
var PIIFields = []string{"phone", "phone_number", "caller_number", "callee_number", "msisdn", "from", "to", "cc", "email", "email_address"}
