package schemas

import "time"

// Kafka topics of the contract.
const (
	TopicCalls     = "cs.calls"
	TopicEmails    = "cs.emails"
	TopicOrders    = "cs.orders"
	TopicCallbacks = "cs.callbacks"
	TopicAgents    = "cs.agents"
	TopicCustomers = "cs.customers"
	// TopicDLQ receives invalid events: original bytes, reason in headers.
	TopicDLQ = "cs.dlq"
)

// Topics are the six input topics, in a stable order.
var Topics = []string{TopicCalls, TopicEmails, TopicOrders, TopicCallbacks, TopicAgents, TopicCustomers}

// Event types of the contract.
const (
	TypeCallEnded         = "cs.call.ended.v1"
	TypeEmailReceived     = "cs.email.received.v1"
	TypeEmailReplied      = "cs.email.replied.v1"
	TypeOrderEntered      = "cs.order.entered.v1"
	TypeCallbackRequested = "cs.callback.requested.v1"
	TypeCallbackAttempted = "cs.callback.attempted.v1"
	TypeCallbackCancelled = "cs.callback.cancelled.v1"
	TypeAgentState        = "cs.agent.state.v1"
	TypeAgentRoster       = "cs.agent.roster.v1"
	TypeCustomerUpdated   = "cs.customer.updated.v1"
	TypeCustomerChurned   = "cs.customer.churned.v1"
)

// TypeInfo ties an event type to its topic and raw table.
type TypeInfo struct {
	Type  string
	Topic string
	Table string
	// Columns are the raw table's insert columns after event_id and source,
	// in the order of Data.Values.
	Columns []string
}

// Types lists every event type of the contract.
var Types = []TypeInfo{
	{TypeCallEnded, TopicCalls, "calls", []string{"call_id", "direction", "queue", "customer_id", "agent_id", "queued_at", "answered_at", "ended_at", "talk_sec", "hold_sec", "wrap_sec", "transferred", "callback_id", "topic"}},
	{TypeEmailReceived, TopicEmails, "email_received", []string{"email_id", "queue", "customer_id", "received_at", "topic"}},
	{TypeEmailReplied, TopicEmails, "email_replied", []string{"email_id", "agent_id", "replied_at", "handle_sec"}},
	{TypeOrderEntered, TopicOrders, "orders", []string{"order_id", "agent_id", "channel", "customer_id", "started_at", "entered_at", "value", "currency"}},
	{TypeCallbackRequested, TopicCallbacks, "callback_requested", []string{"callback_id", "queue", "customer_id", "requested_at", "due_at", "origin"}},
	{TypeCallbackAttempted, TopicCallbacks, "callback_attempted", []string{"callback_id", "agent_id", "attempted_at", "result"}},
	{TypeCallbackCancelled, TopicCallbacks, "callback_cancelled", []string{"callback_id", "cancelled_at", "reason"}},
	{TypeAgentState, TopicAgents, "agent_states", []string{"agent_id", "state", "at", "queue"}},
	{TypeAgentRoster, TopicAgents, "agent_roster", []string{"agent_id", "change", "at", "team", "site"}},
	{TypeCustomerUpdated, TopicCustomers, "customer_updates", []string{"customer_id", "at", "segment", "annual_value", "currency"}},
	{TypeCustomerChurned, TopicCustomers, "customer_churns", []string{"customer_id", "churned_at", "annual_value", "currency", "reason"}},
}

// Info returns the TypeInfo of an event type.
func Info(eventType string) (TypeInfo, bool) {
	for _, t := range Types {
		if t.Type == eventType {
			return t, true
		}
	}
	return TypeInfo{}, false
}

// InsertColumns are the columns of a raw-table insert: event_id, source,
// then the type's Columns.
func (t TypeInfo) InsertColumns() []string {
	return append([]string{"event_id", "source"}, t.Columns...)
}

// Event is one decoded, valid CloudEvent.
type Event struct {
	ID     string
	Type   string
	Source string
	// Time is the CloudEvents time (when the producer emitted the event);
	// zero when absent. KPIs use the timestamps in Data.
	Time time.Time
	Data Data
}

// Data is the typed payload of one event type.
type Data interface {
	// EventType is the CloudEvents type, e.g. cs.call.ended.v1.
	EventType() string
	// Key is the entity id, the Kafka message key.
	Key() string
	// Values appends the row values in the order of TypeInfo.Columns.
	Values(dst []any) []any
}

// Row is the raw-table row of e: event_id, source, then the Data values.
func (e *Event) Row() []any {
	return e.Data.Values(append(make([]any, 0, 16), e.ID, e.Source))
}

// CallEnded is cs.call.ended.v1: a finished inbound or outbound call.
type CallEnded struct {
	CallID      string
	Direction   string // inbound | outbound
	Queue       string
	CustomerID  string
	AgentID     string
	QueuedAt    *time.Time // required for inbound
	AnsweredAt  *time.Time // nil when not answered
	EndedAt     time.Time
	TalkSec     float64 // missing counts 0
	HoldSec     float64
	WrapSec     float64
	Transferred bool
	CallbackID  string // set on an outbound call made for a callback
	Topic       string
}

// EmailReceived is cs.email.received.v1.
type EmailReceived struct {
	EmailID    string
	Queue      string
	CustomerID string
	ReceivedAt time.Time
	Topic      string
}

// EmailReplied is cs.email.replied.v1.
type EmailReplied struct {
	EmailID   string
	AgentID   string
	RepliedAt time.Time
	HandleSec *float64
}

// OrderEntered is cs.order.entered.v1.
type OrderEntered struct {
	OrderID    string
	AgentID    string
	Channel    string // phone | email | web | other
	CustomerID string
	StartedAt  time.Time
	EnteredAt  time.Time
	Value      *float64
	Currency   string
}

// CallbackRequested is cs.callback.requested.v1.
type CallbackRequested struct {
	CallbackID  string
	Queue       string
	CustomerID  string
	RequestedAt time.Time
	DueAt       time.Time
	Origin      string // ivr | web | agent | abandoned_call
}

// CallbackAttempted is cs.callback.attempted.v1.
type CallbackAttempted struct {
	CallbackID  string
	AgentID     string
	AttemptedAt time.Time
	Result      string // reached | no_answer | busy | failed
}

// CallbackCancelled is cs.callback.cancelled.v1.
type CallbackCancelled struct {
	CallbackID  string
	CancelledAt time.Time
	Reason      string
}

// AgentState is cs.agent.state.v1.
type AgentState struct {
	AgentID string
	State   string // available | busy | wrap | break | logged_out
	At      time.Time
	Queue   string
}

// AgentRoster is cs.agent.roster.v1.
type AgentRoster struct {
	AgentID string
	Change  string // joined | left
	At      time.Time
	Team    string
	Site    string
}

// CustomerUpdated is cs.customer.updated.v1.
type CustomerUpdated struct {
	CustomerID  string
	At          time.Time
	Segment     string
	AnnualValue *float64
	Currency    string
}

// CustomerChurned is cs.customer.churned.v1.
type CustomerChurned struct {
	CustomerID  string
	ChurnedAt   time.Time
	AnnualValue *float64
	Currency    string
	Reason      string
}

func (d *CallEnded) EventType() string         { return TypeCallEnded }
func (d *EmailReceived) EventType() string     { return TypeEmailReceived }
func (d *EmailReplied) EventType() string      { return TypeEmailReplied }
func (d *OrderEntered) EventType() string      { return TypeOrderEntered }
func (d *CallbackRequested) EventType() string { return TypeCallbackRequested }
func (d *CallbackAttempted) EventType() string { return TypeCallbackAttempted }
func (d *CallbackCancelled) EventType() string { return TypeCallbackCancelled }
func (d *AgentState) EventType() string        { return TypeAgentState }
func (d *AgentRoster) EventType() string       { return TypeAgentRoster }
func (d *CustomerUpdated) EventType() string   { return TypeCustomerUpdated }
func (d *CustomerChurned) EventType() string   { return TypeCustomerChurned }

func (d *CallEnded) Key() string         { return d.CallID }
func (d *EmailReceived) Key() string     { return d.EmailID }
func (d *EmailReplied) Key() string      { return d.EmailID }
func (d *OrderEntered) Key() string      { return d.OrderID }
func (d *CallbackRequested) Key() string { return d.CallbackID }
func (d *CallbackAttempted) Key() string { return d.CallbackID }
func (d *CallbackCancelled) Key() string { return d.CallbackID }
func (d *AgentState) Key() string        { return d.AgentID }
func (d *AgentRoster) Key() string       { return d.AgentID }
func (d *CustomerUpdated) Key() string   { return d.CustomerID }
func (d *CustomerChurned) Key() string   { return d.CustomerID }

func (d *CallEnded) Values(v []any) []any {
	return append(v, d.CallID, d.Direction, d.Queue, d.CustomerID, d.AgentID, d.QueuedAt, d.AnsweredAt,
		d.EndedAt, d.TalkSec, d.HoldSec, d.WrapSec, d.Transferred, d.CallbackID, d.Topic)
}
func (d *EmailReceived) Values(v []any) []any {
	return append(v, d.EmailID, d.Queue, d.CustomerID, d.ReceivedAt, d.Topic)
}
func (d *EmailReplied) Values(v []any) []any {
	return append(v, d.EmailID, d.AgentID, d.RepliedAt, d.HandleSec)
}
func (d *OrderEntered) Values(v []any) []any {
	return append(v, d.OrderID, d.AgentID, d.Channel, d.CustomerID, d.StartedAt, d.EnteredAt, d.Value, d.Currency)
}
func (d *CallbackRequested) Values(v []any) []any {
	return append(v, d.CallbackID, d.Queue, d.CustomerID, d.RequestedAt, d.DueAt, d.Origin)
}
func (d *CallbackAttempted) Values(v []any) []any {
	return append(v, d.CallbackID, d.AgentID, d.AttemptedAt, d.Result)
}
func (d *CallbackCancelled) Values(v []any) []any {
	return append(v, d.CallbackID, d.CancelledAt, d.Reason)
}
func (d *AgentState) Values(v []any) []any {
	return append(v, d.AgentID, d.State, d.At, d.Queue)
}
func (d *AgentRoster) Values(v []any) []any {
	return append(v, d.AgentID, d.Change, d.At, d.Team, d.Site)
}
func (d *CustomerUpdated) Values(v []any) []any {
	return append(v, d.CustomerID, d.At, d.Segment, d.AnnualValue, d.Currency)
}
func (d *CustomerChurned) Values(v []any) []any {
	return append(v, d.CustomerID, d.ChurnedAt, d.AnnualValue, d.Currency, d.Reason)
}
