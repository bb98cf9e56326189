package schemas

// Kind is the JSON kind of a data field in the contract.
type Kind int

// Field kinds. Timestamps are RFC 3339 strings with an offset; durations are
// non-negative numbers of seconds.
const (
	String Kind = iota
	Timestamp
	Duration
	Number
	Bool
	Enum
)

// Field is one data field of an event type: the table that drives both
// validation and the JSON Schema files, so the two cannot drift.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	Values   []string // for Enum
}

// Order is an "end before start" rule: End may not be before Start.
type Order struct{ Start, End string }

// Spec is the data contract of one event type.
type Spec struct {
	Type   string
	Fields []Field
	Orders []Order
	// RequiredIf makes a field required when another field has a value
	// (queued_at is required for inbound calls).
	RequiredIf []Condition
}

// Condition: Field is required when When equals Is.
type Condition struct{ Field, When, Is string }

func req(name string, k Kind, values ...string) Field {
	return Field{Name: name, Kind: k, Required: true, Values: values}
}
func opt(name string, k Kind, values ...string) Field {
	return Field{Name: name, Kind: k, Values: values}
}

// Specs is the event contract v1 of shared/spec/events.md, one Spec per type.
var Specs = []Spec{
	{Type: TypeCallEnded, Fields: []Field{
		req("call_id", String), req("direction", Enum, "inbound", "outbound"), req("queue", String),
		opt("customer_id", String), opt("agent_id", String), opt("queued_at", Timestamp), opt("answered_at", Timestamp),
		req("ended_at", Timestamp), opt("talk_sec", Duration), opt("hold_sec", Duration), opt("wrap_sec", Duration),
		opt("transferred", Bool), opt("callback_id", String), opt("topic", String),
	}, Orders: []Order{{"queued_at", "answered_at"}, {"queued_at", "ended_at"}},
		RequiredIf: []Condition{{Field: "queued_at", When: "direction", Is: "inbound"}}},
	{Type: TypeEmailReceived, Fields: []Field{
		req("email_id", String), req("queue", String), opt("customer_id", String), req("received_at", Timestamp), opt("topic", String),
	}},
	{Type: TypeEmailReplied, Fields: []Field{
		req("email_id", String), req("agent_id", String), req("replied_at", Timestamp), opt("handle_sec", Duration),
	}},
	{Type: TypeOrderEntered, Fields: []Field{
		req("order_id", String), req("agent_id", String), opt("channel", Enum, "phone", "email", "web", "other"),
		opt("customer_id", String), req("started_at", Timestamp), req("entered_at", Timestamp), opt("value", Number), opt("currency", String),
	}, Orders: []Order{{"started_at", "entered_at"}}},
	{Type: TypeCallbackRequested, Fields: []Field{
		req("callback_id", String), req("queue", String), opt("customer_id", String), req("requested_at", Timestamp),
		req("due_at", Timestamp), opt("origin", Enum, "ivr", "web", "agent", "abandoned_call"),
	}, Orders: []Order{{"requested_at", "due_at"}}},
	{Type: TypeCallbackAttempted, Fields: []Field{
		req("callback_id", String), opt("agent_id", String), req("attempted_at", Timestamp),
		req("result", Enum, "reached", "no_answer", "busy", "failed"),
	}},
	{Type: TypeCallbackCancelled, Fields: []Field{
		req("callback_id", String), req("cancelled_at", Timestamp), opt("reason", String),
	}},
	{Type: TypeAgentState, Fields: []Field{
		req("agent_id", String), req("state", Enum, "available", "busy", "wrap", "break", "logged_out"), req("at", Timestamp), opt("queue", String),
	}},
	{Type: TypeAgentRoster, Fields: []Field{
		req("agent_id", String), req("change", Enum, "joined", "left"), req("at", Timestamp), opt("team", String), opt("site", String),
	}},
	{Type: TypeCustomerUpdated, Fields: []Field{
		req("customer_id", String), req("at", Timestamp), opt("segment", String), opt("annual_value", Number), opt("currency", String),
	}},
	{Type: TypeCustomerChurned, Fields: []Field{
		req("customer_id", String), req("churned_at", Timestamp), opt("annual_value", Number), opt("currency", String), opt("reason", String),
	}},
}

// SpecOf returns the Spec of an event type.
func SpecOf(eventType string) (*Spec, bool) {
	for i := range Specs {
		if Specs[i].Type == eventType {
			return &Specs[i], true
		}
	}
	return nil, false
}

// PIIFields are data fields that carry phone numbers or e-mail addresses:
// never stored, and removed from DLQ payloads.
var PIIFields = []string{"phone", "phone_number", "caller_number", "callee_number", "msisdn", "from", "to", "cc", "email", "email_address"}
